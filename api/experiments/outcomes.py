"""Per-visitor outcome rows for one experiment, read from the database in a few grouped
queries: who was exposed to which variant on which day, and what each visitor did on each
day after (`FIELDS` of `api.experiments.metrics`).  The statistics are computed from these
arrays (`api.experiments.stats`), so a million events cost one grouped scan.

Visitors exposed to more than one variant are counted and left out.  Events before a
visitor's exposure, or after the experiment stopped, do not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import Float, Integer, and_, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from api.experiments.conversation_outcomes import conversation_rows
from api.experiments.definition import ExperimentDefinition
from api.experiments.metrics import COMMERCE_FIELDS, FIELDS
from api.models import Experiment, Exposure, OutcomeEvent

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class RowLayout:
    order: IntArray
    """Row indices sorted by visitor, then day."""
    start: np.ndarray[Any, np.dtype[np.bool_]]
    """In that order: whether a row is its visitor's first."""
    first_row: IntArray
    """In that order: the position of the visitor's first row."""
    cell: IntArray
    """In that order: variant * days + day, the cell each row adds to."""
    exposed: IntArray
    """Per visitor: variant * days + exposure day."""


@dataclass
class Outcomes:
    """Exposed visitors and their outcome rows, as arrays."""

    variants: list[str]
    day0: datetime
    """Midnight UTC of the day the experiment started: day 0."""
    days: int
    visitor_variant: IntArray
    """Per included visitor: the index of its variant in `variants`."""
    visitor_day: IntArray
    """Per included visitor: the day it was first exposed."""
    row_visitor: IntArray
    row_day: IntArray
    rows: dict[str, FloatArray]
    """Per outcome row (one visitor, one day): each field's sum that day."""
    multi_variant: int = 0
    """Visitors exposed to more than one variant, left out."""
    handoff_reasons: dict[str, dict[str, int]] = field(default_factory=dict)
    """variant -> handoff rule -> handoffs (for the handoffs-by-reason table)."""

    @cached_property
    def layout(self) -> RowLayout:
        """The rows' order by visitor and day, computed once for every metric."""
        order = np.lexsort((self.row_day, self.row_visitor))
        visitor = self.row_visitor[order]
        start = np.ones(len(visitor), dtype=bool)
        start[1:] = visitor[1:] != visitor[:-1]
        first_row = np.maximum.accumulate(np.where(start, np.arange(len(visitor)), 0))
        cell = self.visitor_variant[visitor] * self.days + self.row_day[order]
        exposed = self.visitor_variant * self.days + self.visitor_day
        return RowLayout(order=order, start=start, first_row=first_row, cell=cell,
                         exposed=exposed)

    def visitors(self) -> dict[str, int]:
        counts = np.bincount(self.visitor_variant, minlength=len(self.variants))
        return {v: int(counts[i]) for i, v in enumerate(self.variants)}


def _day_of(session: Session, column: Any, day0: datetime) -> ColumnElement[int]:
    """Whole days from `day0` to `column`, in SQL (the two databases spell it apart)."""
    if session.get_bind().dialect.name == "sqlite":
        start = day0.strftime("%Y-%m-%d %H:%M:%S")
        return cast(func.julianday(column) - func.julianday(literal(start)), Integer)
    seconds = func.extract("epoch", column - literal(day0))
    return cast(func.floor(seconds / 86400), Integer)


def _exposures(session: Session, experiment_id: int, day0: datetime) -> list[Any]:
    """(visitor, variant, day of first exposure) rows."""
    x = Exposure
    return list(session.connection().execute(
        select(col(x.visitor_id), col(x.variant), _day_of(session, col(x.first_seen_at), day0))
        .where(col(x.experiment_id) == experiment_id)).all())


def _event_rows(session: Session, experiment: Experiment, day0: datetime,
                end: datetime) -> list[Any]:
    """(visitor, day, *COMMERCE_FIELDS) per visitor and day, events after exposure only."""
    e, x = OutcomeEvent, Exposure
    kind = col(e.type)

    def total(when: ColumnElement[bool], value: Any = 1) -> Any:
        return func.sum(case((when, value), else_=0))

    purchase = kind == "purchase"
    day = _day_of(session, col(e.ts), day0)
    query = (
        select(col(e.visitor_id), day,
               total(purchase),
               total(purchase, func.coalesce(col(e.value), 0.0)),
               total(purchase, func.coalesce(col(e.margin), 0.0)),
               total(kind == "return"),
               total(kind == "csat", cast(col(e.score), Float)),
               total(kind == "csat"),
               total(and_(purchase, col(e.influenced)), func.coalesce(col(e.value), 0.0)),
               total(and_(kind == "csat", col(e.score) >= 4))
               - total(and_(kind == "csat", col(e.score) <= 2)))
        .join(x, and_(col(x.visitor_id) == col(e.visitor_id),
                      col(x.experiment_id) == experiment.id))
        .where(col(e.ts) >= col(x.first_seen_at), col(e.ts) < end)
        .group_by(col(e.visitor_id), day))
    return list(session.connection().execute(query).all())


def read_outcomes(session: Session, experiment: Experiment, definition: ExperimentDefinition,
                  *, now: datetime) -> Outcomes:
    """Everything the report needs about one experiment, as arrays."""
    started = experiment.started_at.astimezone(UTC)
    day0 = started.replace(hour=0, minute=0, second=0, microsecond=0)
    end = (experiment.stopped_at or now).astimezone(UTC)
    days = max(1, (end - day0) // timedelta(days=1) + 1)
    variants = list(definition.variants)
    index = {v: i for i, v in enumerate(variants)}

    seen: dict[str, tuple[int, int]] = {}
    multi: set[str] = set()
    for visitor, variant, day in _exposures(session, experiment.id or 0, day0):
        if variant not in index:
            continue
        if visitor in seen and seen[visitor][0] != index[variant]:
            multi.add(visitor)
        elif visitor not in seen or day < seen[visitor][1]:
            seen[visitor] = (index[variant], int(day))
    for visitor in multi:
        seen.pop(visitor, None)
    order = {visitor: i for i, visitor in enumerate(seen)}
    visitor_variant = np.fromiter((v for v, _ in seen.values()), np.int64, len(seen))
    visitor_day = np.fromiter((d for _, d in seen.values()), np.int64, len(seen))

    events = _event_rows(session, experiment, day0, end)
    event_visitor = np.fromiter((order.get(r[0], -1) for r in events), np.int64, len(events))
    event_values = np.array([r[1:] for r in events], dtype=np.float64).reshape(
        len(events), 1 + len(COMMERCE_FIELDS))
    kept = event_visitor >= 0
    event_visitor, event_values = event_visitor[kept], event_values[kept]

    rows: list[tuple[int, int, dict[str, float]]] = []
    conversations = conversation_rows(session, experiment.name, since=started, end=end,
                                      now=now)
    reasons: dict[str, dict[str, int]] = {v: {} for v in variants}
    for visitor, created, values, rules in conversations:
        if visitor not in order:
            continue
        rows.append((order[visitor], (created - day0) // timedelta(days=1), values))
        counts = reasons[variants[int(visitor_variant[order[visitor]])]]
        for rule in rules:
            counts[rule] = counts.get(rule, 0) + 1

    conv_visitor = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    row_visitor = np.concatenate([event_visitor, conv_visitor])
    row_day = np.concatenate([event_values[:, 0].astype(np.int64),
                              np.fromiter((r[1] for r in rows), np.int64, len(rows))])
    if len(row_visitor):
        # Never before the visitor's exposure day, never past the last day.
        row_day = np.clip(np.maximum(row_day, visitor_day[row_visitor]), 0, days - 1)
    columns = {}
    for name in FIELDS:
        from_events = (event_values[:, 1 + COMMERCE_FIELDS.index(name)] if name in COMMERCE_FIELDS
                       else np.zeros(len(event_visitor)))
        from_chats = np.fromiter((float(r[2].get(name) or 0.0) for r in rows), np.float64,
                                 len(rows))
        columns[name] = np.concatenate([from_events, from_chats])
    return Outcomes(variants=variants, day0=day0, days=days, visitor_variant=visitor_variant,
                    visitor_day=np.clip(visitor_day, 0, days - 1), row_visitor=row_visitor,
                    row_day=row_day, rows=columns, multi_variant=len(multi),
                    handoff_reasons=reasons)
