"""Time and quality per escalation decision: the shipped decision (patterns + e5/VADER
classifier, embedding included) against the previous TF-IDF decision and the patterns
alone, in the same process on the same messages.

Messages: the held-out dev file (`var/route_dev.jsonl`, from
`python -m evals.routing.build_dev --data ../shared/data`) when it exists, otherwise a
built-in mix of routine and charged shopper messages.  Every timed decision of the shipped
model embeds its message afresh (the per-text cache is emptied first), as a new turn does;
then product search asks for the same vector and gets it from the cache, which is timed too.
No LLM is involved.  Prints p50/p95 wall time, the ratio to the TF-IDF decision, recall and
precision on the labelled file, and writes bench/results/route_decision.json.

    python bench/route_decision.py [--data FILE] [--limit N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.commerce.e5_engine.engine import choose_engine  # noqa: E402
from agent.commerce.semantic import ENCODER  # noqa: E402
from agent.escalation import Verdict, load_policy  # noqa: E402
from bench.tfidf_triage import TfidfTriage, tfidf_policy  # noqa: E402
from evals.routing.evaluation import LabelledMessage, read_labelled  # noqa: E402

BUILT_IN = [
    ("waterproof hiking jacket under $200, size M", "assistant"),
    ("where is my order #R10023", "assistant"), ("what is your return policy?", "assistant"),
    ("what size should I get in the Trailhead boots", "assistant"),
    ("I need a tent", "assistant"), ("hiking boots size 10", "assistant"), ("hi", "assistant"),
    ("is the tent waterproof?", "assistant"),
    ("this is so frustrating, nothing works", "human"), ("I hate this company", "human"),
    ("I'm scared my package got stolen", "human"), ("let me talk to a real person", "human"),
    ("I want to return these boots", "human"), ("I was charged twice for one jacket", "human"),
    ("my tent arrived damaged and the poles are missing, this is the third time I've written "
     "to you and nobody has answered, I want my money back now", "human"),
]
Decide = Callable[[str], Verdict]


def _time(decide: Decide, messages: list[str], rounds: int, *, cold: bool) -> dict[str, Any]:
    elapsed, decided = [], []
    for _ in range(rounds):
        decided = []
        for text in messages:
            if cold:
                ENCODER.forget()  # a new turn: its message has not been embedded yet
            started = time.perf_counter()
            verdict = decide(text)
            elapsed.append((time.perf_counter() - started) * 1000)
            decided.append(verdict.escalate)
    return {"p50_ms": round(float(np.percentile(elapsed, 50)), 3),
            "p95_ms": round(float(np.percentile(elapsed, 95)), 3),
            "decisions": len(elapsed), "escalated": decided}


def _search_reuse(decide: Decide, messages: list[str]) -> dict[str, Any]:
    """What product search pays for the message's vector after the router embedded it."""
    reused, fresh = [], []
    for text in messages[:300]:
        ENCODER.forget()
        started = time.perf_counter()
        ENCODER.query(text)
        fresh.append((time.perf_counter() - started) * 1000)
        ENCODER.forget()
        decide(text)
        started = time.perf_counter()
        ENCODER.query(text)
        reused.append((time.perf_counter() - started) * 1000)
    return {"embed_p50_ms": round(float(np.percentile(fresh, 50)), 3),
            "embed_p95_ms": round(float(np.percentile(fresh, 95)), 3),
            "after_routing_p95_ms": round(float(np.percentile(reused, 95)), 4)}


def _quality(rows: list[LabelledMessage], decided: list[bool]) -> dict[str, Any]:
    out = {}
    for source in sorted({r.source or "all" for r in rows}) + (["all"] if rows[0].source
                                                                  else []):
        mine = [k for k, r in enumerate(rows) if source == "all" or r.source == source]
        tp = sum(rows[k].route == "human" and decided[k] for k in mine)
        human = sum(rows[k].route == "human" for k in mine)
        flagged = sum(decided[k] for k in mine)
        out[source] = {"n": len(mine), "recall": round(tp / human, 3) if human else None,
                       "precision": round(tp / flagged, 3) if flagged else None}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "route_dev.jsonl")
    parser.add_argument("--limit", type=int, default=1500, help="messages taken from --data "
                                                                "(evenly spaced)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.data.exists():
        rows = read_labelled(args.data)
        rows = rows[:: max(1, len(rows) // args.limit)][: args.limit]
    else:
        rows = [LabelledMessage(t, r, "built-in") for t, r in BUILT_IN]
    messages = [r.text for r in rows]
    started = time.perf_counter()
    policy = load_policy(ROOT / "policies" / "escalation.yaml")
    load_ms = (time.perf_counter() - started) * 1000
    old_model, old_policy = TfidfTriage(), tfidf_policy(policy)
    decisions: dict[str, Decide] = {
        "patterns_only": policy.patterns_only().decide,
        "tfidf_before": lambda text: old_policy.decide_scored(text, old_model.score(text)),
        "e5_vader_now": policy.decide,
    }
    for text in messages[:50]:  # warm caches (regex, numpy, the C engine) before timing
        for decide in decisions.values():
            decide(text)
    results: dict[str, Any] = {"messages": len(messages),
                               "e5_engine": choose_engine().describe(),
                               "source": str(args.data) if args.data.exists() else "built-in",
                               "policy_load_ms": round(load_ms, 1)}
    for name, decide in decisions.items():
        timed = _time(decide, messages, args.rounds, cold=name == "e5_vader_now")
        results[name] = {k: v for k, v in timed.items() if k != "escalated"}
        results[name]["quality"] = _quality(rows, timed["escalated"])
    results["search_reuse"] = _search_reuse(policy.decide, messages)
    results["ratio_p95_now_vs_tfidf"] = round(
        results["e5_vader_now"]["p95_ms"] / results["tfidf_before"]["p95_ms"], 1)
    _print(results, args.rounds)
    out = ROOT / "bench" / "results" / "route_decision.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def _print(results: dict[str, Any], rounds: int) -> None:
    print(f"{results['messages']} messages from {results['source']}, x{rounds} rounds; "
          f"e5 engine: {results['e5_engine']}")
    print(f"{'':<16}{'p50 ms':>8}{'p95 ms':>8}   recall / precision by source")
    for name in ("patterns_only", "tfidf_before", "e5_vader_now"):
        row = results[name]
        quality = "  ".join(f"{s} {q['recall']}/{q['precision']}"
                            for s, q in row["quality"].items())
        print(f"{name:<16}{row['p50_ms']:>8.3f}{row['p95_ms']:>8.3f}   {quality}")
    reuse = results["search_reuse"]
    print(f"p95 now / tfidf: {results['ratio_p95_now_vs_tfidf']}x (target: now p95 <= 20 ms)")
    print(f"product search's vector: {reuse['embed_p95_ms']:.1f} ms p95 embedded alone, "
          f"{reuse['after_routing_p95_ms']:.3f} ms p95 after routing embedded it")
    print(f"policy + model load: {results['policy_load_ms']:.0f} ms (once per process)")


if __name__ == "__main__":
    main()
