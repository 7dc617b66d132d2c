"""Summaries, ratios, targets and the printed table of the bench suite."""

from __future__ import annotations

import statistics
from typing import Any

# The issues' targets on a 2-core machine with the default embedded model (the first token
# and the reply's p95 from issue 17, which tightened 1.0 s and 5 s).
TARGETS = {
    "ttft_p50_s": 0.7,
    "routine_total_p95_s": 3.0,
    "outside_share": 0.10,
    "prompt_tokens_ratio": 0.3,
    "calls_ratio": 0.5,
    "memory_mib": 2048.0,
}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-turn means and p50/p95 over `records` (one system, some turns)."""
    n = len(records)
    if n == 0:
        return {"turns": 0}
    total = [r["total_s"] for r in records]
    ttft = [r["ttft_s"] for r in records]
    time_sum = sum(total) or 1e-9
    return {
        "turns": n,
        "calls_per_turn": round(sum(r["calls"] for r in records) / n, 2),
        "prompt_tokens_per_turn": round(sum(r["prompt_tokens"] for r in records) / n, 1),
        "completion_tokens_per_turn": round(sum(r["completion_tokens"] for r in records) / n, 1),
        "cached_tokens_per_turn": round(sum(r["cached_tokens"] for r in records) / n, 1),
        "ttft_p50_s": round(statistics.median(ttft), 3),
        "ttft_p95_s": round(percentile(ttft, 0.95), 3),
        "total_p50_s": round(statistics.median(total), 3),
        "total_p95_s": round(percentile(total, 0.95), 3),
        "outside_share": round(sum(r["outside_s"] for r in records) / time_sum, 4),
        "outside_p50_ms": round(statistics.median(r["outside_s"] for r in records) * 1000, 1),
        "answered": sum(r["answered"] for r in records),
        "grounded": sum(r["grounded"] for r in records),
        "answered_and_grounded": sum(r["answered"] and r["grounded"] for r in records),
    }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def ratios(tandem: dict[str, Any], react: dict[str, Any]) -> dict[str, Any]:
    """Tandem / ReAct, on routine turns (those the assistant answers itself)."""
    keys = ("prompt_tokens_per_turn", "completion_tokens_per_turn", "calls_per_turn",
            "ttft_p50_s", "total_p50_s", "total_p95_s")
    out: dict[str, Any] = {k: _ratio(tandem[k], react[k]) for k in keys}
    out["answered_and_grounded"] = (f"{tandem['answered_and_grounded']}/{tandem['turns']} vs "
                                    f"{react['answered_and_grounded']}/{react['turns']}")
    return out


def profile(records: list[dict[str, Any]]) -> dict[str, float]:
    """Share of Tandem's turn time per phase: graph nodes, the model (inside `respond`),
    and the service around the graph (database reads and writes, checkpoints)."""
    total = sum(r["total_s"] for r in records) or 1e-9
    model = sum(r["model_s"] for r in records)
    phases: dict[str, float] = {"model (respond)": model}
    for r in records:
        for node, seconds in r["nodes"].items():
            key = "respond (without the model)" if node == "respond" else node
            phases[key] = phases.get(key, 0.0) + seconds
    phases["respond (without the model)"] = max(
        phases.get("respond (without the model)", 0.0) - model, 0.0)
    in_nodes = sum(phases.values())
    phases["service: database, checkpoints"] = max(total - in_nodes, 0.0)
    return {k: round(v / total, 4) for k, v in sorted(phases.items(), key=lambda kv: -kv[1])}


def targets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with the value reached and whether it is met."""
    tandem, ratio = result["tandem"]["routine"], result["ratios"]
    memory = result["memory_mib"].get("rss_serving")
    reached = {
        "ttft_p50_s": tandem["ttft_p50_s"],
        "routine_total_p95_s": tandem["total_p95_s"],
        "outside_share": tandem["outside_share"],
        "prompt_tokens_ratio": ratio["prompt_tokens_per_turn"],
        "calls_ratio": ratio["calls_per_turn"],
        "memory_mib": memory,
    }
    out = {name: {"target": limit, "reached": reached[name],
                  "met": reached[name] is not None and reached[name] <= limit}
           for name, limit in TARGETS.items()}
    engine = result.get("engine") or {}
    speeds = [e.get("prompt_tok_s") for e in [engine, *engine.get("others", [])]]
    speeds = [v for v in speeds if v]
    if engine.get("prompt_tok_s") and speeds:
        # The runtime the turns ran on prefills within 10% of the fastest build measured.
        share = round(engine["prompt_tok_s"] / max(speeds), 3)
        out["engine_prefill_of_best"] = {"target": 0.9, "reached": share, "met": share >= 0.9}
    react = result["baseline"]["routine"]
    out["grounded_at_least_baseline"] = {
        "target": react["answered_and_grounded"], "reached": tandem["answered_and_grounded"],
        "met": tandem["answered_and_grounded"] >= react["answered_and_grounded"]}
    return out


def render(result: dict[str, Any]) -> str:
    lines = [f"tandem bench: provider {result['provider']}, model {result['model']}, "
             f"threads {result['threads']}, load average at start {result['load_average']}"]
    engine = result["engine"]
    if engine.get("prompt_tok_s"):
        from bench.engine_speed import engine_line

        lines += [engine_line(e) for e in [*engine.get("others", []), engine]]
        lines.append(f"Tandem and ReAct below run on: {engine.get('runtime', '?')}")
    else:
        lines.append(f"engine limit: {engine.get('skipped', 'n/a')}")
    head = (f"{'routine turns':<14}{'turns':>6}{'calls':>7}{'prompt':>8}{'compl':>7}"
            f"{'cached':>8}{'ttft p50':>9}{'p95':>6}{'total p50':>10}{'p95':>6}"
            f"{'outside':>8}{'grounded':>9}")
    lines += ["", head, "-" * len(head)]
    for name, key in (("Tandem", "tandem"), ("ReAct", "baseline")):
        s = result[key]["routine"]
        lines.append(
            f"{name:<14}{s['turns']:>6}{s['calls_per_turn']:>7}{s['prompt_tokens_per_turn']:>8}"
            f"{s['completion_tokens_per_turn']:>7}{s['cached_tokens_per_turn']:>8}"
            f"{s['ttft_p50_s']:>9.2f}{s['ttft_p95_s']:>6.2f}{s['total_p50_s']:>10.2f}"
            f"{s['total_p95_s']:>6.2f}{s['outside_share']:>8.1%}"
            f"{s['answered_and_grounded']:>6}/{s['turns']:<2}")
    r = result["ratios"]
    lines += ["", "Tandem / ReAct: " + ", ".join(
        f"{k} {v}" for k, v in r.items() if k != "answered_and_grounded")]
    lines.append(f"answered and grounded: {r['answered_and_grounded']}")
    lines.append("memory: " + ", ".join(f"{k} {v} MiB" for k, v in result["memory_mib"].items()))
    lines += ["", "where Tandem's turn time goes: " + ", ".join(
        f"{k} {v:.1%}" for k, v in result["profile"].items())]
    lines += ["", "targets:"]
    for name, t in result["targets"].items():
        lines.append(f"  {'met ' if t['met'] else 'MISS'} {name}: {t['reached']} "
                     f"(target {t['target']})")
    return "\n".join(lines)
