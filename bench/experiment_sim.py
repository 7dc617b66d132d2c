"""Simulated shoppers for experiments with a known true lift (the statistical checks).

What is simulated: visitors arriving over a month, each assigned by Tandem's own hash
(`api.experiments.assignment.variant_for`, what `GET /v1/assignments` answers), exposures
written in bulk with simulated times (the API would stamp them "now"), and what visitors do
afterwards: purchases (a known conversion rate, times (1 + lift) in the assistant group),
order values (log-normal, heavy-tailed like real baskets), returns, CSAT answers and
add-to-carts from suggestion cards.  What is real: the events go through the ingest code of
`POST /v1/events` (`record_events`), into the database, and the report is Tandem's own
(`build_report`): SQL, delta-method intervals, SRM.

`bench/experiments.py` runs this over 200 experiments; `bench/experiment_month.py` drives
the HTTP API itself for one month with conversations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from api.db import session_scope
from api.experiments import service
from api.experiments.assignment import variant_for
from api.experiments.definition import parse_definition
from api.experiments.events import OutcomeEventIn, record_events
from api.experiments.report import build_report
from api.models import Exposure
from domain.tables import utcnow

BATCH = 1000


@dataclass(frozen=True)
class Shop:
    """How simulated visitors behave."""

    conversion: float = 0.05
    """Share of the control's visitors who buy at least once."""
    repeat: float = 0.2
    """Share of buyers who buy a second time."""
    order_mu: float = 4.3
    order_sigma: float = 0.7
    """Order values: log-normal (median about $74, a long tail)."""
    margin_share: float = 0.35
    returns: float = 0.12
    csat_share: float = 0.06
    card_share: float = 0.3
    """Share of the assistant group's purchases that follow an add-to-cart from a card."""
    days: int = 28


@dataclass(frozen=True)
class SimResult:
    name: str
    lift: float
    """The true relative lift of conversion."""
    report: dict[str, Any]

    def covers(self, metric: str = "conversion", truth: float | None = None) -> bool:
        ci = self.report["metrics"][metric]["ci95"]
        value = self.lift if truth is None else truth
        return ci is not None and ci[0] <= value <= ci[1]

    def significant(self, metric: str = "conversion") -> bool:
        p = self.report["metrics"][metric]["p_value"]
        return p is not None and p < 0.05


def _events_for(rng: random.Random, shop: Shop, visitor: str, seen: datetime,
                assistant: bool, lift: float, now: datetime) -> list[OutcomeEventIn]:
    events: list[OutcomeEventIn] = []
    rate = shop.conversion * (1 + lift if assistant else 1)
    if rng.random() < shop.csat_share:
        events.append(OutcomeEventIn(event_id=f"{visitor}-csat", type="csat", visitor_id=visitor,
                                     ts=seen + timedelta(minutes=20),
                                     score=rng.choice([2, 3, 4, 4, 5, 5])))
    if rng.random() >= rate:
        return events
    orders = 2 if rng.random() < shop.repeat else 1
    for k in range(orders):
        at = seen + timedelta(hours=rng.uniform(0.2, 72) + 96 * k)
        if at >= now:
            break
        value = round(rng.lognormvariate(shop.order_mu, shop.order_sigma), 2)
        if assistant and rng.random() < shop.card_share:
            events.append(OutcomeEventIn(event_id=f"{visitor}-cart{k}", type="add_to_cart",
                                         visitor_id=visitor, suggestion="SKU-1",
                                         ts=at - timedelta(minutes=10)))
        events.append(OutcomeEventIn(event_id=f"{visitor}-buy{k}", type="purchase",
                                     visitor_id=visitor, ts=at, value=value,
                                     margin=round(value * shop.margin_share, 2)))
        if rng.random() < shop.returns and at + timedelta(days=5) < now:
            events.append(OutcomeEventIn(event_id=f"{visitor}-ret{k}", type="return",
                                         visitor_id=visitor, ts=at + timedelta(days=5),
                                         reason="fit"))
    return events


def simulate(engine: Engine, *, name: str, visitors: int, lift: float, seed: int,
             shop: Shop = Shop(), control_loss: float = 0.0,
             horizon_days: int = 28) -> SimResult:
    """One experiment (control vs assistant, 50/50) with a known true lift of conversion.
    `control_loss` drops that share of the control's exposures (a sample-ratio bug)."""
    rng = random.Random(seed)
    now = utcnow()
    started = now - timedelta(days=shop.days + 2)
    definition = parse_definition({
        "name": name, "variants": {"control": 0.5, "assistant": 0.5},
        "primary": "conversion", "guardrails": ["return_rate", "aov"],
        "horizon_days": horizon_days})
    with session_scope(engine) as session:
        experiment = service.start(session, definition, source="simulation")
        experiment.started_at = started
        session.add(experiment)
        session.flush()
        exposures: list[dict[str, Any]] = []
        events: list[OutcomeEventIn] = []
        for i in range(visitors):
            visitor = f"{name}-{i}"
            variant = variant_for(definition, visitor)
            if variant == "control" and control_loss and rng.random() < control_loss:
                continue
            seen = started + timedelta(seconds=rng.uniform(0, shop.days * 86400))
            exposures.append({"experiment_id": experiment.id, "visitor_id": visitor,
                              "variant": variant, "first_seen_at": seen})
            events += _events_for(rng, shop, visitor, seen, variant == "assistant", lift, now)
        for start in range(0, len(exposures), 5000):
            session.connection().execute(insert(Exposure.__table__),  # type: ignore[attr-defined]
                                         exposures[start:start + 5000])
        for start in range(0, len(events), BATCH):
            record_events(session, events[start:start + BATCH])
        session.flush()
        report = build_report(session, experiment, cycle_days=14, now=now)
        # The simulated month is over: stopped, it assigns no real visitor of a shared
        # database (the console's test runs on the suite's database).
        service.stop(session, name)
    return SimResult(name=name, lift=lift, report=report)


@dataclass(frozen=True)
class Calibration:
    runs: int
    coverage: float
    """Share of runs whose 95% interval of the conversion lift contains the true lift."""
    aa_false_positive: float
    """Share of A/A runs (true lift 0) with p < 0.05 on conversion."""
    revenue_coverage: float
    """The same coverage for revenue per visitor (heavy-tailed values)."""
    aov_coverage: float
    """AOV is not changed by the lift: share of intervals containing 0."""
    srm_false_flags: int
    """Runs without an injected mismatch that were flagged."""
    srm_injected_p: float
    srm_injected_flagged: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def calibrate(engine: Engine, *, runs: int, visitors: int, lift: float, seed: int,
              prefix: str = "sim") -> Calibration:
    """`runs` experiments with the lift, `runs` A/A experiments, one with a 52/48 split."""
    with_lift = [simulate(engine, name=f"{prefix}-l{i}", visitors=visitors, lift=lift,
                          seed=seed * 100_003 + i) for i in range(runs)]
    aa = [simulate(engine, name=f"{prefix}-aa{i}", visitors=visitors, lift=0.0,
                   seed=seed * 200_003 + i) for i in range(runs)]
    # 52/48: the control loses 1 - 48/52 of its exposures.
    srm = simulate(engine, name=f"{prefix}-srm", visitors=max(visitors, 20_000), lift=lift,
                   seed=seed, control_loss=1 - 48 / 52)
    return Calibration(
        runs=runs,
        coverage=sum(r.covers() for r in with_lift) / runs,
        aa_false_positive=sum(r.significant() for r in aa) / runs,
        revenue_coverage=sum(r.covers("revenue_per_visitor") for r in with_lift) / runs,
        aov_coverage=sum(r.covers("aov", 0.0) for r in with_lift + aa) / (2 * runs),
        srm_false_flags=sum(r.report["srm"]["flagged"] for r in with_lift + aa),
        srm_injected_p=srm.report["srm_p"], srm_injected_flagged=srm.report["srm"]["flagged"])
