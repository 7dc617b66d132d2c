"""Experiments' statistics and speed, measured.

    python bench/experiments.py calibrate [--runs 200] [--visitors 10000] [--lift 0.1]
    python bench/experiments.py report-time [--events 1000000] [--database-url URL | --postgres]

`calibrate`: `runs` simulated experiments with a known true lift of conversion and `runs`
A/A experiments (bench/experiment_sim.py says what is simulated), each a month of traffic,
through Tandem's ingest and report code on a fresh SQLite file: how often the 95% interval
holds the true lift (target 93-97%), the A/A false-positive rate (target <= 5%), and whether
a 52/48 split is flagged as a sample-ratio mismatch.

`report-time`: one experiment with `events` outcome events (written in bulk, or with
`--through-ingest` through the code of `POST /v1/events`), then the report timed, against
the baseline of one plain SQL pass over the same events (count and sum) in the same
process.  On SQLite by default; `--postgres`
makes a throw-away database on the local server.

Results: bench/results/experiments_calibration.json, experiments_report_time_<db>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from api.db import engine_for, session_scope
from api.experiments import service
from api.experiments.assignment import variant_for
from api.experiments.definition import parse_definition
from api.experiments.events import OutcomeEventIn, record_events
from api.experiments.report import build_report
from api.models import Exposure, OutcomeEvent
from bench import RESULTS_DIR
from bench.experiment_sim import calibrate
from domain.tables import utcnow

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def _database(url: str | None, postgres: bool) -> Iterator[str]:
    if url:
        yield url
        return
    if postgres:
        import psycopg

        name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            engine_for(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}").dispose()
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'experiments.db'}"


def run_calibration(runs: int, visitors: int, lift: float, seed: int) -> dict[str, Any]:
    with _database(None, postgres=False) as url:
        started = time.perf_counter()
        result = calibrate(engine_for(url), runs=runs, visitors=visitors, lift=lift, seed=seed)
        seconds = time.perf_counter() - started
    out = result.as_dict() | {"visitors_per_experiment": visitors, "true_lift": lift,
                              "seed": seed, "seconds": round(seconds, 1),
                              "targets": {"coverage": [0.93, 0.97],
                                          "aa_false_positive_max": 0.05,
                                          "srm_injected_flagged": True}}
    print(f"{runs} experiments with a true lift of {lift:+.0%} and {runs} A/A, {visitors:,} "
          f"visitors each ({seconds:.0f} s):")
    print(f"  95% interval holds the true lift (conversion): {result.coverage:.1%} "
          "(target 93-97%)")
    print(f"  ... revenue per visitor: {result.revenue_coverage:.1%}; AOV (no true change): "
          f"{result.aov_coverage:.1%}")
    print(f"  A/A false positives (p < 0.05): {result.aa_false_positive:.1%} (target <= 5%)")
    print(f"  52/48 split: SRM p = {result.srm_injected_p:.2g}, flagged: "
          f"{result.srm_injected_flagged}; false SRM flags in the other "
          f"{2 * runs} runs: {result.srm_false_flags}")
    return out


def _busy_shop_events(name: str, visitors: int, events: int, seed: int, started: Any,
                      now: Any) -> Iterator[tuple[list[dict[str, Any]], list[OutcomeEventIn]]]:
    """Batches of (exposures, events): about events / visitors events per visitor."""
    rng = random.Random(seed)
    definition = parse_definition({"name": name, "variants": {"control": 0.5, "assistant": 0.5},
                                   "primary": "conversion", "guardrails": ["return_rate"]})
    per_visitor = events / visitors
    made = 0
    i = 0
    while made < events:
        exposures: list[dict[str, Any]] = []
        batch: list[OutcomeEventIn] = []
        while len(batch) < 1000 and made + len(batch) < events:
            visitor = f"{name}-{i}"
            i += 1
            seen = started + timedelta(seconds=rng.uniform(0, 27 * 86400))
            exposures.append({"visitor_id": visitor, "variant": variant_for(definition, visitor),
                              "first_seen_at": seen})
            for k in range(max(1, round(rng.expovariate(1 / per_visitor)))):
                at = min(seen + timedelta(hours=rng.uniform(0, 48)), now)
                kind = rng.choices(["add_to_cart", "purchase", "return", "csat"],
                                   [0.55, 0.3, 0.05, 0.1])[0]
                batch.append(OutcomeEventIn(
                    event_id=f"{visitor}-{k}", type=kind, visitor_id=visitor, ts=at,
                    value=round(rng.lognormvariate(4.3, 0.7), 2) if kind == "purchase" else None,
                    margin=10.0 if kind == "purchase" else None,
                    score=rng.randint(1, 5) if kind == "csat" else None,
                    suggestion="SKU-1" if kind == "add_to_cart" and rng.random() < 0.3
                    else None))
        made += len(batch)
        yield exposures, batch


def run_report_time(events: int, url: str | None, postgres: bool, seed: int,
                    through_ingest: bool = False) -> dict[str, Any]:
    with _database(url, postgres) as database_url:
        engine = engine_for(database_url)
        backend = engine.dialect.name
        now = utcnow()
        started = now - timedelta(days=28)
        name = f"timing-{uuid.uuid4().hex[:6]}"
        definition = parse_definition({"name": name, "variants": {"control": 0.5,
                                                                  "assistant": 0.5},
                                       "primary": "conversion", "guardrails": ["return_rate"]})
        with session_scope(engine) as session:
            experiment = service.start(session, definition, source="bench")
            experiment.started_at = started
        ingest_started = time.perf_counter()
        visitors = 0
        for exposures, batch in _busy_shop_events(name, events // 5, events, seed, started,
                                                  now):
            with session_scope(engine) as session:
                session.connection().execute(
                    insert(Exposure.__table__),  # type: ignore[attr-defined]
                    [e | {"experiment_id": experiment.id} for e in exposures])
                if through_ingest:
                    record_events(session, batch)
                else:  # straight in: the report's time is measured, not the ingest's
                    session.connection().execute(
                        insert(OutcomeEvent.__table__),  # type: ignore[attr-defined]
                        [e.model_dump() | {"influenced": e.type == "purchase" and i % 3 == 0}
                         for i, e in enumerate(batch)])
            visitors += len(exposures)
        ingest_s = time.perf_counter() - ingest_started
        if backend == "postgresql":
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        timings, baseline = [], []
        for _ in range(3):
            with session_scope(engine) as session:
                t = time.perf_counter()
                session.execute(select(func.count(), func.sum(OutcomeEvent.value))).one()
                baseline.append(time.perf_counter() - t)
                row = service.get(session, name)
                t = time.perf_counter()
                report = build_report(session, row, cycle_days=14, now=now)
                timings.append(time.perf_counter() - t)
        with session_scope(engine) as session:
            stored = session.execute(select(func.count()).select_from(OutcomeEvent)).scalar_one()
    result = {"database": backend, "events": stored, "visitors": visitors,
              "ingest": "POST /v1/events code" if through_ingest else "bulk insert",
              "ingest_seconds": round(ingest_s, 1),
              "ingest_events_per_second": round(stored / ingest_s),
              "report_seconds": [round(t, 3) for t in timings],
              "report_median_seconds": round(statistics.median(timings), 3),
              "baseline_scan_median_seconds": round(statistics.median(baseline), 3),
              "ratio_report_to_scan": round(statistics.median(timings)
                                            / statistics.median(baseline), 1),
              "srm_p": report["srm_p"]}
    print(f"{backend}: {stored:,} events from {visitors:,} visitors written in {ingest_s:.0f} s "
          f"({result['ingest_events_per_second']:,}/s, {result['ingest']})")
    print(f"  report: median {result['report_median_seconds']} s of 3; one SQL pass over the "
          f"events (count, sum): {result['baseline_scan_median_seconds']} s; ratio "
          f"{result['ratio_report_to_scan']}x")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cal = sub.add_parser("calibrate")
    cal.add_argument("--runs", type=int, default=200)
    cal.add_argument("--visitors", type=int, default=10_000)
    cal.add_argument("--lift", type=float, default=0.1)
    cal.add_argument("--seed", type=int, default=19)
    rt = sub.add_parser("report-time")
    rt.add_argument("--events", type=int, default=1_000_000)
    rt.add_argument("--database-url")
    rt.add_argument("--postgres", action="store_true")
    rt.add_argument("--seed", type=int, default=19)
    rt.add_argument("--through-ingest", action="store_true",
                    help="write the events through the POST /v1/events code (slower)")
    args = parser.parse_args()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if args.command == "calibrate":
        result = run_calibration(args.runs, args.visitors, args.lift, args.seed)
        path = RESULTS_DIR / "experiments_calibration.json"
    else:
        result = run_report_time(args.events, args.database_url, args.postgres, args.seed,
                                 args.through_ingest)
        path = RESULTS_DIR / f"experiments_report_time_{result['database']}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
