"""Score transcripts and summarise a run: pass@1, pass^k, per-scorer pass rates.

A case passes when no scorer fails it (skips do not count).  With k repeats, pass@1 is the
mean share of passing repeats per case and pass^k the share of cases that pass all k:
reliability across runs is what shoppers feel.  Pass rates that gate CI leave out cases
marked `known_failure`; those are reported beside them.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from evals.scorers import Scorer, ScoreResult, default_scorers
from evals.scorers.judge import JudgeScorer
from evals.transcript import Transcript


class CaseScore(BaseModel):
    suite: str
    case_id: str
    repeat: int = 0
    tags: list[str] = Field(default_factory=list)
    known_failure: str | None = None
    passed: bool
    score: float
    """Mean of the applicable scorers' scores, 0..1 (for distributions and deltas)."""
    results: list[ScoreResult]

    def failed_scorers(self) -> list[str]:
        return [r.scorer for r in self.results if r.outcome == "fail"]


class CaseSummary(BaseModel):
    case_id: str
    repeats: int
    passes: int
    known_failure: str | None = None
    mean_score: float


class RunSummary(BaseModel):
    suite: str
    provider: str | None = None
    model: str | None = None
    prompts: str | None = None
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    cases: int
    repeats: int
    pass_at_1: float
    pass_hat_k: float
    pass_rate_expected: float
    """pass@1 over the cases not marked known_failure (what the gate checks)."""
    known_failures: list[str] = Field(default_factory=list)
    fixed_known_failures: list[str] = Field(default_factory=list)
    """Cases marked known_failure that now pass every repeat: remove the mark."""
    scorer_pass_rates: dict[str, float] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    model_replies: dict[str, int] = Field(default_factory=dict)
    """Turns whose reply the model phrased, and how many of those replies the fact check
    withdrew for the template's (agent/reply_check.py); empty when scoring offline."""
    skipped: str | None = None


class RunResult(BaseModel):
    summary: RunSummary
    per_case: list[CaseSummary]
    scores: list[CaseScore]
    extra: dict[str, Any] = Field(default_factory=dict)


def score_transcript(transcript: Transcript, scorers: Sequence[Scorer]) -> CaseScore:
    if transcript.error:
        results = [ScoreResult(scorer="run", outcome="fail", score=0.0,
                               detail=transcript.error)]
    else:
        results = [scorer.score(transcript) for scorer in scorers]
    return _case_score(transcript, results)


def _case_score(transcript: Transcript, results: list[ScoreResult]) -> CaseScore:
    applied = [r.score for r in results if r.outcome != "skip" and r.score is not None]
    return CaseScore(
        suite=transcript.suite, case_id=transcript.case_id, repeat=transcript.repeat,
        tags=transcript.tags, known_failure=transcript.known_failure,
        passed=all(r.outcome != "fail" for r in results),
        score=sum(applied) / len(applied) if applied else 1.0, results=results)


async def _judge_all(transcripts: Sequence[Transcript], scores: list[CaseScore],
                     judge: JudgeScorer) -> None:
    for transcript, case in zip(transcripts, scores, strict=True):
        if transcript.error:
            continue
        extra = await judge.ascore(transcript)
        updated = _case_score(transcript, [*case.results, extra])
        case.results, case.passed, case.score = updated.results, updated.passed, updated.score


def score_all(transcripts: Iterable[Transcript], *, scorers: Sequence[Scorer] | None = None,
              judge: JudgeScorer | None = None) -> list[CaseScore]:
    chosen = list(scorers) if scorers is not None else default_scorers()
    listed = list(transcripts)
    scores = [score_transcript(t, chosen) for t in listed]
    if judge is not None:
        asyncio.run(_judge_all(listed, scores, judge))
    return scores


def summarise(scores: Sequence[CaseScore], *, suite: str | None = None,
              meta: dict[str, Any] | None = None) -> RunResult:
    by_case: dict[str, list[CaseScore]] = defaultdict(list)
    for s in scores:
        by_case[s.case_id].append(s)
    per_case = [CaseSummary(case_id=cid, repeats=len(runs), passes=sum(r.passed for r in runs),
                            known_failure=runs[0].known_failure,
                            mean_score=round(sum(r.score for r in runs) / len(runs), 4))
                for cid, runs in by_case.items()]
    expected = [c for c in per_case if not c.known_failure]

    def rate(cases: Sequence[CaseSummary]) -> float:
        return round(sum(c.passes / c.repeats for c in cases) / len(cases), 4) if cases else 1.0

    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in scores:
        for r in s.results:
            if r.outcome != "skip":
                tallies[r.scorer][0] += r.outcome == "pass"
                tallies[r.scorer][1] += 1
    meta = meta or {}
    summary = RunSummary(
        suite=suite or (scores[0].suite if scores else "empty"),
        provider=meta.get("provider"), model=meta.get("model"), prompts=meta.get("prompts"),
        cases=len(per_case), repeats=max((c.repeats for c in per_case), default=0),
        pass_at_1=rate(per_case),
        pass_hat_k=round(sum(c.passes == c.repeats for c in per_case) / len(per_case), 4)
        if per_case else 1.0,
        pass_rate_expected=rate(expected),
        known_failures=[c.case_id for c in per_case if c.known_failure],
        fixed_known_failures=[c.case_id for c in per_case
                              if c.known_failure and c.passes == c.repeats],
        scorer_pass_rates={k: round(p / n, 4) for k, (p, n) in tallies.items()},
        timings=meta.get("timings", {}),
    )
    return RunResult(summary=summary, per_case=per_case, scores=list(scores))
