"""The CI gate: `evals/thresholds.yaml` says which suites run with which provider, the pass
rate each must reach, and the stored baseline it must not regress against."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agent.config_files import load_validated
from api.settings import Settings
from evals.compare import compare
from evals.reports import read_json, write_json
from evals.scoring import RunResult

EVALS_DIR = Path(__file__).resolve().parent
"""Suites, baselines and thresholds live beside the engine; paths in the file are relative
to this folder."""
THRESHOLDS_PATH = EVALS_DIR / "thresholds.yaml"


class ThresholdError(ValueError):
    """The thresholds file is missing or invalid."""


class SuiteThreshold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suite: str = Field(description="suite file, relative to the evals folder")
    provider: str = "scripted"
    repeat: int = Field(default=1, ge=1)
    min_pass_rate: float = Field(ge=0, le=1, description="pass@1 over cases that are not "
                                                         "marked known_failure")
    baseline: str | None = Field(default=None, description="results JSON to not regress on")
    max_scorer_drop: float = Field(default=0.0, ge=0, le=1)


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suites: dict[str, SuiteThreshold] = Field(min_length=1)


def load_thresholds(path: Path = THRESHOLDS_PATH) -> Thresholds:
    return load_validated(path, Thresholds, ThresholdError)


def check(result: RunResult, threshold: SuiteThreshold,
          baseline: RunResult | None) -> list[str]:
    """The reasons this run fails the gate (empty: it passes)."""
    s = result.summary
    problems = []
    if s.pass_rate_expected + 1e-9 < threshold.min_pass_rate:
        problems.append(f"{s.suite}: pass@1 {s.pass_rate_expected:.1%} is below the threshold "
                        f"{threshold.min_pass_rate:.1%}")
    if baseline is None:
        return problems
    diff = compare(baseline, result)
    for case in diff.regressions:
        if case.pass_a is not None and case.pass_b is not None and case.pass_b < case.pass_a:
            problems.append(f"{s.suite}: {case.case_id} regressed: passed {case.pass_a:.0%} of "
                            f"repeats in the baseline, {case.pass_b:.0%} now")
    for scorer in diff.scorers:
        if scorer.rate_a is not None and scorer.rate_b is not None \
                and scorer.rate_a - scorer.rate_b > threshold.max_scorer_drop + 1e-9:
            problems.append(f"{s.suite}: scorer {scorer.scorer} fell from {scorer.rate_a:.1%} "
                            f"to {scorer.rate_b:.1%}")
    return problems


def baseline_copy(result: RunResult) -> RunResult:
    """What is stored as a baseline: the verdicts, without timings that change every run."""
    summary = result.summary.model_copy(update={"timings": {}, "created_at": ""})
    scores = []
    for case in result.scores:
        results = [r.model_copy(update={"detail": ""}) if r.scorer == "latency_cost" else r
                   for r in case.results]
        scores.append(case.model_copy(update={"results": results}))
    return result.model_copy(update={"summary": summary, "scores": scores})


@dataclass
class GateOutcome:
    results: dict[str, RunResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def gate_suites(config: Thresholds, settings: Settings, given: dict[str, RunResult], *,
                update_baseline: bool = False) -> GateOutcome:
    """Gate the given results, running (with its configured provider) each suite of the
    thresholds file that has none; a suite that cannot run here is skipped, with why."""
    from evals.fixtures import SuiteSkipped
    from evals.pipeline import run_and_score
    from evals.runner import RunOptions

    outcome = GateOutcome()
    for name, threshold in config.suites.items():
        result = given.get(name)
        if result is None:
            options = RunOptions(provider=threshold.provider, repeat=threshold.repeat)
            try:
                result = run_and_score(EVALS_DIR / threshold.suite, settings, options).result
            except SuiteSkipped as exc:
                outcome.skipped[name] = str(exc)
                continue
        outcome.results[name] = result
        baseline_path = EVALS_DIR / threshold.baseline if threshold.baseline else None
        if update_baseline and baseline_path is not None:
            write_json(baseline_copy(result), baseline_path)
        baseline = read_json(baseline_path) if baseline_path and baseline_path.is_file() \
            else None
        outcome.problems += check(result, threshold, baseline)
    return outcome
