"""One experiment's report: sample-ratio check first, then per metric and variant the
estimate, the lift against the control with its 95% interval, the p-value, a plain verdict
and the sample still needed; and the daily series the console draws.

Fixed horizon: the report gives `better` or `worse` only once the experiment has run its
`horizon_days` (by default the purchase cycle) and was not stopped before; until then every
verdict is `not known yet`, with the interim numbers shown beside it.  Deciding on a peek
at the interim numbers would raise the false-positive rate well above 5%.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
from sqlmodel import Session

from api.experiments.definition import ExperimentDefinition, parse_definition
from api.experiments.metrics import COMPOSITE_PARTS, METRICS, VISITOR, Metric
from api.experiments.outcomes import FloatArray, Outcomes, read_outcomes
from api.experiments.stats import SRM_ALPHA, Comparison, Sums, compare, lift, ratio, srm
from api.models import Experiment
from domain.tables import utcnow

Verdict = Literal["better", "worse", "not known yet"]
CHART_MIN_VISITORS = 100
_COMPOSITE_FIELD = {"revenue": "revenue", "margin": "margin", "returns": "returns",
                    "csat": "net_satisfied", "human_minutes": "human_minutes"}
assert set(_COMPOSITE_FIELD) == set(COMPOSITE_PARTS)


def _column(o: Outcomes, name: str, weights: dict[str, float]) -> FloatArray:
    if name == "composite":
        total = np.zeros(len(o.row_visitor))
        for part, weight in weights.items():
            total = total + weight * o.rows[_COMPOSITE_FIELD[part]]
        return total
    return o.rows[name]


def daily_sums(o: Outcomes, m: Metric, weights: dict[str, float]) -> Sums:
    """Per variant and day, the sums over visitors exposed by that day of their outcomes
    up to that day: arrays of shape (variants, days)."""
    k, d = len(o.variants), o.days
    rows = o.layout

    def per_day(index: np.ndarray[Any, Any], values: FloatArray | None) -> FloatArray:
        counts = np.bincount(index, weights=values, minlength=k * d).reshape(k, d)
        return np.cumsum(counts, axis=1)

    def cumulative(values: FloatArray) -> FloatArray:
        """Each visitor's running total up to each of its rows."""
        running = np.cumsum(values)
        return running - (running - values)[rows.first_row]

    def before(values: FloatArray) -> FloatArray:
        shifted = np.concatenate(([0.0], values[:-1])) if len(values) else values
        return np.where(rows.start, 0.0, shifted)

    n = per_day(rows.exposed, None)
    y_now = cumulative(_column(o, m.numerator, weights)[rows.order])
    if m.binary:
        y_now = (y_now > 0).astype(np.float64)
    y_was = before(y_now)
    y = per_day(rows.cell, y_now - y_was)
    yy = per_day(rows.cell, y_now * y_now - y_was * y_was)
    if m.denominator == VISITOR:
        return Sums(n=n, y=y, x=n, yy=yy, xx=n, xy=y)
    x_now = cumulative(o.rows[m.denominator][rows.order])
    x_was = before(x_now)
    return Sums(n=n, y=y, x=per_day(rows.cell, x_now - x_was),
                yy=yy, xx=per_day(rows.cell, x_now * x_now - x_was * x_was),
                xy=per_day(rows.cell, y_now * x_now - y_was * x_was))


def _arm(s: Sums, i: int) -> Sums:
    return Sums(*(getattr(s, f)[i] for f in ("n", "y", "x", "yy", "xx", "xy")))


def verdict(m: Metric, c: Comparison, decided: bool) -> Verdict:
    if not decided or c.ci95 is None or c.p_value is None:
        return "not known yet"
    lo, hi = c.ci95
    if lo > 0 or hi < 0:
        up = lo > 0
        return "better" if up == m.higher_is_better else "worse"
    return "not known yet"


def _horizon(experiment: Experiment, definition: ExperimentDefinition, cycle_days: int,
             now: datetime) -> tuple[bool, list[str], dict[str, Any]]:
    horizon = definition.horizon_days or cycle_days
    ends = experiment.started_at + timedelta(days=horizon)
    until = experiment.stopped_at or now
    ran_days = (until - experiment.started_at) / timedelta(days=1)
    notices = []
    if ran_days < cycle_days:
        notices.append(f"Has not run a full purchase cycle: {ran_days:.1f} of {cycle_days} "
                       "days. Purchases and returns that exposure causes may still be to come.")
    decided = until >= ends
    if not decided and experiment.stopped_at is not None:
        notices.append(f"Stopped before its fixed horizon of {horizon} days: the numbers are "
                       "interim and support no verdict.")
    elif not decided:
        notices.append(f"Fixed horizon: verdicts are given from {ends:%Y-%m-%d %H:%M} UTC "
                       f"({horizon} days). The numbers until then are interim; deciding on "
                       "them would raise the false-positive rate.")
    return decided, notices, {"days": horizon, "ends_at": ends.isoformat(),
                              "reached": decided, "ran_days": round(ran_days, 2)}


def _metric_entry(m: Metric, role: str, s: Sums, o: Outcomes,
                  definition: ExperimentDefinition, decided: bool) -> dict[str, Any]:
    last = o.days - 1
    control = o.variants.index(definition.control)
    entry: dict[str, Any] = {"role": role, "kind": m.kind, "description": m.description,
                             "higher_is_better": m.higher_is_better}
    per_variant: dict[str, Any] = {}
    for name in definition.treatments:
        i = o.variants.index(name)
        c = compare(_arm(s, control).at(last), _arm(s, i).at(last),
                    mde=definition.mde, power=definition.power)
        per_variant[name] = asdict(c) | {
            "verdict": verdict(m, c, decided) if role != "secondary" else None}
    first = definition.treatments[0]
    head = per_variant[first]
    entry[definition.control] = head["control"]
    for name, c in per_variant.items():
        entry[name] = c["variant"]
    entry |= {k: head[k] for k in ("lift", "ci95", "p_value", "verdict", "still_needed")}
    entry["variants"] = per_variant
    return entry


def series(o: Outcomes, s: Sums, definition: ExperimentDefinition) -> dict[str, Any]:
    """Per day: each variant's estimate with its interval, and each lift with its interval."""
    est, var = ratio(s)
    # Days before an arm has CHART_MIN_VISITORS are left blank: their intervals are too
    # wide to draw beside the rest, and the normal approximation does not hold yet.
    early = s.n < CHART_MIN_VISITORS
    est, var = np.where(early, np.nan, est), np.where(early, np.nan, var)
    half = 1.96 * np.sqrt(var)
    control = o.variants.index(definition.control)

    def clean(a: FloatArray) -> list[float | None]:
        return [None if not np.isfinite(v) else round(float(v), 6) for v in a]

    out: dict[str, Any] = {"estimate": {}, "lift": {}}
    for i, name in enumerate(o.variants):
        out["estimate"][name] = {"value": clean(est[i]), "lo": clean(est[i] - half[i]),
                                 "hi": clean(est[i] + half[i])}
    for name in definition.treatments:
        i = o.variants.index(name)
        value, lo, hi, _ = lift((est[control], var[control]), (est[i], var[i]))
        # Interval wider than +-100%: too early to draw on the same scale as the rest.
        wide = (hi - lo) / 2 > 1.0
        value, lo, hi = (np.where(wide, np.nan, a) for a in (value, lo, hi))
        out["lift"][name] = {"value": clean(value), "lo": clean(lo), "hi": clean(hi)}
    return out


def build_report(session: Session, experiment: Experiment, *, cycle_days: int,
                 now: datetime | None = None) -> dict[str, Any]:
    """The report as the CLI's --json prints it (README, "Experiments")."""
    now = now or utcnow()
    definition = parse_definition(experiment.definition)
    o = read_outcomes(session, experiment, definition, now=now)
    decided, notices, horizon = _horizon(experiment, definition, cycle_days, now)
    visitors = o.visitors()
    shares = {k: v.share for k, v in definition.variants.items()}
    srm_p = srm(visitors, shares)
    flagged = srm_p is not None and srm_p < SRM_ALPHA
    if flagged:
        notices.insert(0, "Sample ratio mismatch: the split of visitors differs from the "
                          f"configured shares (chi-squared p = {srm_p:.2g} < {SRM_ALPHA}). "
                          "Find the cause (a variant that fails to load, bots, a broken "
                          "exposure) before trusting any result.")
        decided = False
    metrics: dict[str, Any] = {}
    charts: dict[str, Any] = {}
    roles = [(definition.primary, "primary")] + [(g, "guardrail") for g in
                                                 definition.guardrails]
    roles += [(name, "secondary") for name in METRICS if name not in dict(roles)]
    for name, role in roles:
        m = METRICS[name]
        s = daily_sums(o, m, definition.weights)
        metrics[name] = _metric_entry(m, role, s, o, definition, decided)
        if role == "primary":
            charts["primary"] = series(o, s, definition)
    exposures = np.bincount(o.layout.exposed, minlength=len(o.variants) * o.days).reshape(
        len(o.variants), o.days)
    charts["days"] = [(o.day0 + timedelta(days=i)).date().isoformat() for i in range(o.days)]
    charts["exposures"] = {v: exposures[i].tolist() for i, v in enumerate(o.variants)}
    return {
        "experiment": experiment.name, "status": experiment.status,
        "started_at": experiment.started_at.isoformat(),
        "stopped_at": experiment.stopped_at.isoformat() if experiment.stopped_at else None,
        "control": definition.control, "variants": list(definition.variants),
        "primary": definition.primary, "guardrails": definition.guardrails,
        "mde": definition.mde, "peeking": "fixed horizon", "horizon": horizon,
        "notices": notices,
        "srm_p": srm_p, "srm": {"flagged": flagged, "shares": shares, "visitors": visitors,
                                "excluded_multiple_variants": o.multi_variant},
        "metrics": metrics, "handoffs_by_reason": o.handoff_reasons, "charts": charts,
        "generated_at": now.isoformat(),
    }
