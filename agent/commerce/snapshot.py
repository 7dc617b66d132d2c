"""The catalogue as each search reads it, kept in memory per process and database.

Every discovery turn used to read every product, every priced variant and every search
vector (the router's scope check and the search each did, and a sizing question searched
again): about half of a turn's server time with a 240-product demo store.  A snapshot is
re-read only when the catalogue's version number (domain/catalogue_version.py, raised in
the same transaction as any product, variant or vector change, by any process) differs
from the one it was read at: one primary-key read per use.

A snapshot read inside a transaction that itself changed the catalogue is used by that
session only, never kept: the change may still roll back.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.commerce.semantic import MODEL_NAME, product_text, text_sha
from agent.commerce.views import VariantView, view_of
from domain import catalogue_version
from domain.tables import Product, ProductVector, Variant


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per read
class Catalogue:
    version: int
    products: tuple[Product, ...]
    """Detached rows: read them, never add them to a session."""
    variants: dict[str, tuple[VariantView, ...]]
    """Each product's priced variants (sellable or not)."""
    vectors: tuple[tuple[str, ...], np.ndarray] | None
    """The products' ids and search vectors (float32, one L2-normalised row each), when
    every product has a current one (else None: the semantic search reads and embeds what
    is missing, as before)."""


_kept: weakref.WeakKeyDictionary[Engine, Catalogue] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
T = TypeVar("T")
_derived: weakref.WeakKeyDictionary[Catalogue, dict[Callable[[Catalogue], Any], Any]] = \
    weakref.WeakKeyDictionary()


def derived(snapshot: Catalogue, build: Callable[[Catalogue], T]) -> T:
    """`build(snapshot)`, worked out once per snapshot (the same object while the catalogue
    is unchanged) and dropped with it: what every turn derives from the catalogue (the
    router's store words, the naming facts) costs one build per catalogue version.  Two
    threads may both build it the first time; either result is the same."""
    kept = _derived.setdefault(snapshot, {})
    if build not in kept:
        kept[build] = build(snapshot)
    return kept[build]


def catalogue(session: Session) -> Catalogue:
    """The catalogue as `session` sees it, from memory while it is current."""
    engine = session.get_bind()
    version = catalogue_version.current(session)
    if session.info.get(catalogue_version.CHANGED_KEY):
        return _read(session, version)
    kept = _kept.get(engine) if isinstance(engine, Engine) else None
    if kept is not None and kept.version == version:
        return kept
    with _lock:  # one thread reads it; the others wanting the same version wait for it
        kept = _kept.get(engine) if isinstance(engine, Engine) else None
        if kept is not None and kept.version == version:
            return kept
        fresh = _read(session, version)
        if isinstance(engine, Engine):
            _kept[engine] = fresh
        return fresh


def _read(session: Session, version: int) -> Catalogue:
    """Read in a session of its own on the caller's connection: the caller's transaction
    (and so the version just read), but its own identity map, so the caller's rows are
    never detached under it and the snapshot's rows are nobody's."""
    with Session(bind=session.connection()) as own:
        products = tuple(own.exec(select(Product)).all())
        variants: dict[str, list[VariantView]] = {}
        for variant in own.exec(select(Variant)
                                .where(col(Variant.price_cents).is_not(None))).all():
            variants.setdefault(variant.product_id, []).append(view_of(variant))
        vectors = _vectors(own, products)
        own.expunge_all()  # detached, every attribute loaded: safe to share read-only
    return Catalogue(version=version, products=products,
                     variants={k: tuple(v) for k, v in variants.items()}, vectors=vectors)


def _vectors(session: Session, products: tuple[Product, ...]
             ) -> tuple[tuple[str, ...], np.ndarray] | None:
    rows = {v.product_id: v for v in session.exec(select(ProductVector)).all()}
    current = [rows.get(p.id) for p in products]
    if not products or any(r is None or r.model != MODEL_NAME
                           or r.text_sha != text_sha(product_text(p))
                           for r, p in zip(current, products, strict=True)):
        return None
    matrix = np.stack([np.frombuffer(r.vector, dtype=np.float16)
                       for r in current if r is not None]).astype(np.float32)
    return tuple(p.id for p in products), matrix
