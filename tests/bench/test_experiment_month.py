"""The month simulator end to end through the HTTP API, small (bench/experiment_month.py)."""

from __future__ import annotations

from pathlib import Path

from bench.experiment_month import run_month


async def test_a_small_month_through_the_api_reports_both_groups(tmp_path: Path) -> None:
    result = await run_month(150, 0.1, 5, f"sqlite:///{tmp_path / 'month.db'}")
    counts = result["counts"]
    assert counts["assignments"] == 150 and counts["events"] > 0
    assert counts["conversations"] > 0 and counts["turns"] >= counts["conversations"]
    assert sum(result["visitors_by_variant"].values()) == 150
    assert result["srm_p"] > 0.001
    # The control writes to people; the assistant answers product questions itself.
    assert result["handoff_rate"]["control"] in (1.0, None)
    reasons = result["handoffs_by_reason"]
    assert set(reasons["control"]) <= {"experiment_control"}
    assert "experiment_control" not in reasons["assistant"]
    assert result["ci95"] is None or result["ci95"][0] < result["estimated_lift"] \
        < result["ci95"][1]
