"""The quick version of the experiments' statistical checks (bench/experiments.py runs 200).

Simulated shoppers with a known true lift go through the real ingest and report code; the
95% interval must hold the true lift about 95% of the time, A/A runs must rarely look
significant, and a 52/48 split must be flagged.  Seeds are fixed: the same runs every time.
"""

from __future__ import annotations

from pathlib import Path

from api.db import engine_for
from bench.experiment_sim import calibrate, simulate


def test_intervals_hold_the_true_lift_and_a_52_48_split_is_flagged(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'sim.db'}")
    result = calibrate(engine, runs=20, visitors=3000, lift=0.1, seed=7)
    # 20 runs: a calibrated 95% interval misses 0-3 times (binomial, 98% of the time).
    assert result.coverage >= 0.85, result
    assert result.aa_false_positive <= 0.15, result
    assert result.srm_injected_flagged and result.srm_injected_p < 0.001, result
    assert result.srm_false_flags == 0, result


def test_a_large_true_lift_is_found_better(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'sim.db'}")
    result = simulate(engine, name="big-lift", visitors=12000, lift=0.5, seed=3)
    conversion = result.report["metrics"]["conversion"]
    assert conversion["verdict"] == "better", conversion
    assert conversion["ci95"][0] > 0 and result.covers()
    assert result.report["metrics"]["revenue_influenced"]["assistant"] > 0
    assert result.report["metrics"]["revenue_influenced"]["control"] == 0
