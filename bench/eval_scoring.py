"""Time to score 1,000 recorded transcripts offline (target: under 5 s), against the
baseline of only parsing the same JSONL in the same process; and time to run the starter
suite with the scripted model.

The transcripts are the starter suite's own, recorded once with the scripted provider and
repeated to 1,000 lines.  Prints a table and writes bench/results/eval_scoring.json.

    python bench/eval_scoring.py [--n 1000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import evals
from api.settings import Settings, ephemeral_secrets
from bench import RESULTS_DIR
from evals.pipeline import run_and_score
from evals.runner import RunOptions
from evals.scoring import score_all, summarise
from evals.transcript import read_jsonl, write_jsonl

STARTER = Path(evals.__file__).resolve().parent / "suites" / "starter.yaml"
RESULTS = RESULTS_DIR / "eval_scoring.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    settings = Settings(_env_file=None, environment="test", llm_provider="scripted",  # type: ignore[call-arg]
                        **ephemeral_secrets())
    started = time.perf_counter()
    output = run_and_score(STARTER, settings, RunOptions())
    suite_s = time.perf_counter() - started
    recorded = output.transcripts
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "transcripts.jsonl"
        write_jsonl(path, (recorded[i % len(recorded)] for i in range(args.n)))
        t0 = time.perf_counter()
        parsed_only = [json.loads(line) for line in path.open(encoding="utf-8")]
        parse_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = summarise(score_all(read_jsonl(path)))
        score_s = time.perf_counter() - t0
    report = {
        "transcripts": len(parsed_only),
        "turns": sum(len(t["turns"]) for t in parsed_only),
        "json parse only (baseline) s": round(parse_s, 3),
        "parse + validate + score + summarise s": round(score_s, 3),
        "ratio score/baseline": round(score_s / parse_s, 1) if parse_s else None,
        "target s": 5.0,
        "starter suite cases": len(recorded),
        "starter suite run with scripted model s (store build, run, score)": round(suite_s, 2),
        "starter pass@1 (expected cases)": result.summary.pass_rate_expected,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
