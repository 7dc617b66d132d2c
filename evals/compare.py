"""Compare two runs (baseline A, candidate B): per-case and per-scorer deltas, regressions
first, so a prompt engineer sees at once what a change broke."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from evals.scoring import RunResult

Change = Literal["regressed", "improved", "same", "new", "removed"]
_ORDER = {"regressed": 0, "new": 1, "removed": 2, "improved": 3, "same": 4}


class CaseDelta(BaseModel):
    case_id: str
    change: Change
    pass_a: float | None
    pass_b: float | None
    score_a: float | None
    score_b: float | None

    @property
    def score_delta(self) -> float:
        return (self.score_b or 0.0) - (self.score_a or 0.0)


class ScorerDelta(BaseModel):
    scorer: str
    rate_a: float | None
    rate_b: float | None

    @property
    def delta(self) -> float:
        return (self.rate_b or 0.0) - (self.rate_a or 0.0)


class Comparison(BaseModel):
    suite_a: str
    suite_b: str
    pass_at_1: tuple[float, float]
    pass_hat_k: tuple[float, float]
    cases: list[CaseDelta]
    scorers: list[ScorerDelta]

    @property
    def regressions(self) -> list[CaseDelta]:
        return [c for c in self.cases if c.change == "regressed"]


def _change(pass_a: float | None, pass_b: float | None, score_a: float | None,
            score_b: float | None) -> Change:
    if pass_a is None:
        return "new"
    if pass_b is None:
        return "removed"
    if pass_b < pass_a or (pass_b == pass_a and (score_b or 0) < (score_a or 0) - 1e-9):
        return "regressed"
    if pass_b > pass_a or (score_b or 0) > (score_a or 0) + 1e-9:
        return "improved"
    return "same"


def compare(a: RunResult, b: RunResult) -> Comparison:
    cases_a = {c.case_id: c for c in a.per_case}
    cases_b = {c.case_id: c for c in b.per_case}
    deltas = []
    for case_id in [*cases_a, *(k for k in cases_b if k not in cases_a)]:
        ca, cb = cases_a.get(case_id), cases_b.get(case_id)
        pa = ca.passes / ca.repeats if ca else None
        pb = cb.passes / cb.repeats if cb else None
        sa, sb = (ca.mean_score if ca else None), (cb.mean_score if cb else None)
        deltas.append(CaseDelta(case_id=case_id, change=_change(pa, pb, sa, sb),
                                pass_a=pa, pass_b=pb, score_a=sa, score_b=sb))
    deltas.sort(key=lambda d: (_ORDER[d.change], d.score_delta, d.case_id))
    rates_a, rates_b = a.summary.scorer_pass_rates, b.summary.scorer_pass_rates
    scorers = [ScorerDelta(scorer=k, rate_a=rates_a.get(k), rate_b=rates_b.get(k))
               for k in sorted(set(rates_a) | set(rates_b))]
    scorers.sort(key=lambda d: (d.delta, d.scorer))
    return Comparison(suite_a=a.summary.suite, suite_b=b.summary.suite,
                      pass_at_1=(a.summary.pass_at_1, b.summary.pass_at_1),
                      pass_hat_k=(a.summary.pass_hat_k, b.summary.pass_hat_k),
                      cases=deltas, scorers=scorers)
