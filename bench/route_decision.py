"""Time per escalation decision: policy patterns + triage classifier vs patterns alone.

Both run in the same process on the same messages: the held-out dev file
(`var/route_dev.jsonl`, from `python -m evals.routing.build_dev --data ../shared/data`) when
it exists, otherwise a built-in mix of routine and charged shopper messages.  No LLM is
involved.  Prints p50/p95 wall time per decision and writes bench/results/route_decision.json.

    python bench/route_decision.py [--data FILE] [--limit N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.escalation import EscalationPolicy, load_policy  # noqa: E402
from evals.routing.evaluation import read_labelled  # noqa: E402

BUILT_IN = [
    "waterproof hiking jacket under $200, size M", "where is my order #R10023",
    "what is your return policy?", "what size should I get in the Trailhead boots",
    "I need a tent", "hiking boots size 10", "hi", "is the tent waterproof?",
    "this is so frustrating, nothing works", "I hate this company",
    "I'm scared my package got stolen", "let me talk to a real person",
    "I want to return these boots", "I was charged twice for one jacket",
    "my tent arrived damaged and the poles are missing, this is the third time I've written "
    "to you and nobody has answered, I want my money back now",
]


def _time(policy: EscalationPolicy, messages: list[str], rounds: int) -> dict[str, float]:
    elapsed = []
    for _ in range(rounds):
        for text in messages:
            started = time.perf_counter()
            policy.decide(text)
            elapsed.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(float(np.percentile(elapsed, 50)), 3),
            "p95_ms": round(float(np.percentile(elapsed, 95)), 3),
            "decisions": len(elapsed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "route_dev.jsonl")
    parser.add_argument("--limit", type=int, default=2000, help="messages taken from --data")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    messages = ([row.text for row in read_labelled(args.data)][: args.limit]
                if args.data.exists() else BUILT_IN)
    started = time.perf_counter()
    policy = load_policy(ROOT / "policies" / "escalation.yaml")
    load_ms = (time.perf_counter() - started) * 1000
    baseline = policy.patterns_only()
    for text in messages[:50]:  # warm caches (regex, numpy) before timing either side
        policy.decide(text)
    results = {
        "messages": len(messages),
        "source": str(args.data) if args.data.exists() else "built-in",
        "policy_load_ms": round(load_ms, 1),
        "patterns_only": _time(baseline, messages, args.rounds),
        "patterns_and_classifier": _time(policy, messages, args.rounds),
    }
    print(f"{results['messages']} messages from {results['source']}, x{args.rounds} rounds")
    print(f"{'':<26}{'p50 ms':>8}{'p95 ms':>8}")
    for name in ("patterns_only", "patterns_and_classifier"):
        row = results[name]
        print(f"{name:<26}{row['p50_ms']:>8.3f}{row['p95_ms']:>8.3f}")
    print(f"policy + model load: {load_ms:.0f} ms (once per process)")
    out = ROOT / "bench" / "results" / "route_decision.json"
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
