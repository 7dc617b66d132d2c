"""The bench suite end to end on the scripted stand-in models (seconds, no real model).

It checks the plumbing a user relies on when reading the embedded numbers: every section is
there, calls and tokens are counted per turn from the callbacks, times add up, the
baseline really calls its tools, and grounding is judged against the store.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.suite import BenchOptions, run_bench, write_result


async def test_the_scripted_bench_runs_both_systems_and_writes_every_section(
        tmp_path: Path) -> None:
    result = await run_bench(BenchOptions(provider="scripted"))
    path = write_result(result, tmp_path / "bench.json")
    saved = json.loads(path.read_text())

    for section in ("engine", "tandem", "baseline", "ratios", "profile", "memory_mib",
                    "targets"):
        assert section in saved, section
    tandem, react = saved["tandem"], saved["baseline"]
    kinds = {t["kind"] for t in tandem["turns"]}
    assert kinds == {"discovery", "sizing", "order_status", "escalation"}
    assert len(tandem["turns"]) == len(react["turns"]) >= 8

    for turn in tandem["turns"]:
        # One model call phrases a reply; a handoff or a request for proof needs none.
        assert turn["calls"] == (0 if turn["check"] in ("handoff", "order_proof", "order")
                                 else 1), turn
        assert turn["ttft_s"] <= turn["total_s"]
        assert abs(turn["model_s"] + turn["outside_s"] - turn["total_s"]) < 1e-3
        if turn["calls"]:
            assert turn["prompt_tokens"] > 20 and turn["completion_tokens"] > 0
    refund = next(t for t in react["turns"] if t["kind"] == "escalation")
    assert refund["tool_calls"] == ["transfer_to_person"] and refund["answered"]
    # The baseline calls a tool, then answers: two model calls on most routine turns.
    assert react["routine"]["calls_per_turn"] > 1.5
    assert saved["ratios"]["calls_per_turn"] < 0.7

    assert tandem["routine"]["answered_and_grounded"] >= tandem["routine"]["turns"] - 1
    assert 0 < saved["memory_mib"]["rss_serving"] < 4096
    assert abs(sum(saved["profile"].values()) - 1.0) < 0.01
    assert saved["engine"]["skipped"]
