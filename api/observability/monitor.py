"""`tandem monitor`: the last day against the previous weeks, and what moved.

Figures, each from the per-turn records (`TurnStat`) unless said otherwise:

- handoff rate: turns handed to a person / turns
- fallback rate: replies from the fallback template after the model failed, timed out or
  was not loaded / turns;  busy rate: "one moment" replies / turns
- withdrawal rate: model replies withdrawn by the fact check / replies the model phrased
- intent mix: each intent's share of turns (chi-squared of the day's counts against the
  baseline's shares)
- eval score: the offline scorers' mean score on a sample of the period's transcripts
  (scored by `evals`, passed in as a function; Welch's t-test)

A rate moved when the day differs from the baseline with p < `alpha` (binomial test) *and*
by at least `min_change` (absolute): the first keeps noise out on busy days, the second
keeps trivial moves out on very busy ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scipy import stats as sps
from sqlmodel import Session, col, select

from api.models import TurnStat

ScoreSample = Callable[[Session, datetime, datetime], list[float]]


@dataclass(frozen=True)
class Thresholds:
    alpha: float = 0.01
    min_change: float = 0.03
    """Smallest absolute move of a rate (3 points) worth reporting."""
    min_intent_change: float = 0.05
    min_score_drop: float = 0.05
    min_turns: int = 30
    """Fewer turns in the last day than this: nothing is judged (too little to tell)."""


@dataclass
class Figure:
    name: str
    last_day: float | None
    baseline: float | None
    p_value: float | None
    moved: bool
    detail: str = ""


@dataclass
class MonitorReport:
    since: str
    until: str
    baseline_since: str
    turns_last_day: int
    turns_baseline: int
    figures: list[Figure] = field(default_factory=list)

    @property
    def moved(self) -> list[Figure]:
        return [f for f in self.figures if f.moved]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"moved": [f.name for f in self.moved]}


def _turns(session: Session, since: datetime, until: datetime) -> list[tuple[str, str, str]]:
    return [(intent, route, reply) for intent, route, reply in session.execute(
        select(col(TurnStat.intent), col(TurnStat.route), col(TurnStat.reply)).where(
            col(TurnStat.created_at) >= since, col(TurnStat.created_at) < until)).all()]


def _rate(name: str, last: list[Any], base: list[Any], hit: Callable[[Any], bool],
          within: Callable[[Any], bool], t: Thresholds) -> Figure:
    n_last = sum(1 for x in last if within(x))
    n_base = sum(1 for x in base if within(x))
    k_last = sum(1 for x in last if within(x) and hit(x))
    k_base = sum(1 for x in base if within(x) and hit(x))
    if not n_last or not n_base:
        return Figure(name, k_last / n_last if n_last else None,
                      k_base / n_base if n_base else None, None, False, "too few turns")
    p0 = k_base / n_base
    p_value = float(sps.binomtest(k_last, n_last, min(max(p0, 1e-9), 1 - 1e-9)).pvalue)
    change = k_last / n_last - p0
    moved = n_last >= t.min_turns and p_value < t.alpha and abs(change) >= t.min_change
    return Figure(name, k_last / n_last, p0, p_value, moved,
                  f"{k_last}/{n_last} against {k_base}/{n_base} ({change:+.1%})")


def _intent_mix(last: list[tuple[str, str, str]], base: list[tuple[str, str, str]],
                t: Thresholds) -> Figure:
    now, before = Counter(x[0] for x in last), Counter(x[0] for x in base)
    intents = sorted(set(now) | set(before))
    if not last or not base:
        return Figure("intent_mix", None, None, None, False, "too few turns")
    share_now = {i: now[i] / len(last) for i in intents}
    share_before = {i: before[i] / len(base) for i in intents}
    # Expected counts from the baseline's shares (an intent new today gets a small floor).
    expected = [max(share_before[i], 0.5 / len(base)) for i in intents]
    scale = len(last) / sum(expected)
    p_value = float(sps.chisquare([now[i] for i in intents],
                                  [e * scale for e in expected]).pvalue)
    moves = sorted(intents, key=lambda i: -abs(share_now[i] - share_before[i]))
    biggest = abs(share_now[moves[0]] - share_before[moves[0]])
    moved = len(last) >= t.min_turns and p_value < t.alpha and biggest >= t.min_intent_change
    detail = ", ".join(f"{i} {share_before[i]:.0%} -> {share_now[i]:.0%}" for i in moves[:3])
    return Figure("intent_mix", biggest, None, p_value, moved, detail)


def _scores(sample: ScoreSample, session: Session, last: tuple[datetime, datetime],
            base: tuple[datetime, datetime], t: Thresholds) -> Figure:
    now, before = sample(session, *last), sample(session, *base)
    if len(now) < 2 or len(before) < 2:
        return Figure("eval_score", None, None, None, False, "too few transcripts scored")
    mean_now, mean_before = sum(now) / len(now), sum(before) / len(before)
    result = sps.ttest_ind(now, before, equal_var=False)
    p_value = float(result.pvalue) if result.pvalue == result.pvalue else 1.0
    moved = p_value < t.alpha and mean_before - mean_now >= t.min_score_drop
    return Figure("eval_score", mean_now, mean_before, p_value, moved,
                  f"{len(now)} transcripts against {len(before)}")


def compare(session: Session, *, now: datetime, weeks: int = 4,
            thresholds: Thresholds = Thresholds(),
            score_sample: ScoreSample | None = None) -> MonitorReport:
    day = (now - timedelta(days=1), now)
    base = (now - timedelta(days=1 + 7 * weeks), day[0])
    last, before = _turns(session, *day), _turns(session, *base)
    t = thresholds
    report = MonitorReport(since=day[0].isoformat(), until=now.isoformat(),
                           baseline_since=base[0].isoformat(), turns_last_day=len(last),
                           turns_baseline=len(before))

    def everyone(_: Any) -> bool:
        return True

    report.figures = [
        _rate("handoff_rate", last, before, lambda x: x[1] == "human", everyone, t),
        _rate("fallback_rate", last, before, lambda x: x[2] in ("fallback", "unavailable"),
              everyone, t),
        _rate("busy_rate", last, before, lambda x: x[2] == "busy", everyone, t),
        _rate("withdrawal_rate", last, before, lambda x: x[2] == "withdrawn",
              lambda x: x[2] in ("model", "withdrawn"), t),
        _intent_mix(last, before, t),
    ]
    if score_sample is not None:
        report.figures.append(_scores(score_sample, session, day, base, t))
    return report


def render(report: MonitorReport) -> str:
    lines = [f"Last day ({report.turns_last_day} turns, to {report.until[:16]} UTC) against "
             f"the {report.turns_baseline} turns since {report.baseline_since[:10]}:"]
    for f in report.figures:
        last = "n/a" if f.last_day is None else f"{f.last_day:.3f}"
        base = "n/a" if f.baseline is None else f"{f.baseline:.3f}"
        p = "n/a" if f.p_value is None else f"{f.p_value:.2g}"
        mark = "MOVED" if f.moved else "ok"
        lines.append(f"  {f.name:<16} {last:>7} vs {base:>7}  p={p:<8} {mark:<5} {f.detail}")
    return "\n".join(lines)
