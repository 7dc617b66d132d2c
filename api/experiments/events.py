"""Outcome events from the retailer's server: add to cart, purchase, return, CSAT.

Idempotent by `event_id`: a resend (a retry after a timeout, a replayed queue) is counted
as a duplicate and changes nothing.  A batch is validated whole before anything is written,
so a bad event rejects the request with its index and reason and nothing is half-stored.

A purchase within `INFLUENCE_WINDOW` after an add-to-cart from a suggestion card by the same
visitor is marked `influenced` when it is stored, whichever of the two arrives first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.models import VISITOR_ID_MAX, OutcomeEvent
from domain.tables import utcnow

INFLUENCE_WINDOW = timedelta(days=7)
MAX_BATCH = 250
# The largest body a valid batch can be: every string field at its length limit, each
# character escaped in JSON (up to 6 bytes), plus the keys, numbers and timestamp.
_MAX_EVENT_BYTES = (128 + VISITOR_ID_MAX + 36 + 128 + 200) * 6 + 512
MAX_BODY_BYTES = MAX_BATCH * _MAX_EVENT_BYTES
FUTURE_SLACK = timedelta(hours=1)
"""Clocks differ; an event further in the future than this is a mistake."""
EventType = Literal["add_to_cart", "purchase", "return", "csat"]


class OutcomeEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=128, description="unique per event; a "
                          "resend with the same id is ignored")
    type: EventType
    visitor_id: str = Field(min_length=1, max_length=VISITOR_ID_MAX,
                            description="the same id the widget sent to /v1/assignments")
    ts: datetime = Field(description="when it happened, ISO 8601; without an offset, UTC")
    conversation_id: str | None = Field(default=None, max_length=36)
    value: float | None = Field(default=None, ge=0, description="order value (purchase)")
    margin: float | None = Field(default=None, description="order margin (purchase)")
    score: int | None = Field(default=None, ge=1, le=5, description="CSAT 1-5 (csat)")
    suggestion: str | None = Field(
        default=None, max_length=128,
        description="add_to_cart from a suggestion card: the suggested variant or product id")
    reason: str | None = Field(default=None, max_length=200, description="return reason")

    @field_validator("ts")
    @classmethod
    def _utc(cls, ts: datetime) -> datetime:
        ts = ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
        if ts > utcnow() + FUTURE_SLACK:
            raise ValueError("is in the future")
        return ts

    @model_validator(mode="after")
    def _fields_of_the_type(self) -> OutcomeEventIn:
        if self.type == "purchase" and self.value is None:
            raise ValueError("a purchase needs its value")
        if self.type == "csat" and self.score is None:
            raise ValueError("a csat event needs its score (1-5)")
        return self


class EventsAccepted(BaseModel):
    accepted: int = Field(description="events stored now")
    duplicates: int = Field(description="events whose event_id was already stored (ignored)")


def _from_card(kind: str, suggestion: str | None) -> bool:
    return kind == "add_to_cart" and bool(suggestion)


def _mark_influence(session: Session, new: list[dict[str, Any]]) -> None:
    """Mark new purchases that follow a card add-to-cart, and stored purchases that a new
    card add-to-cart precedes."""
    visitors = {e["visitor_id"] for e in new
                if e["type"] == "purchase" or _from_card(e["type"], e["suggestion"])}
    if not visitors:
        return
    e = OutcomeEvent
    stored = session.execute(sa_select(col(e.event_id), col(e.type), col(e.visitor_id),
                                       col(e.ts), col(e.suggestion), col(e.influenced)).where(
        col(e.visitor_id).in_(visitors), col(e.type).in_(("purchase", "add_to_cart")))).all()
    carts: dict[str, list[datetime]] = defaultdict(list)
    for row in stored:
        if _from_card(row.type, row.suggestion):
            carts[row.visitor_id].append(row.ts)
    new_carts = [c for c in new if _from_card(c["type"], c["suggestion"])]
    for cart in new_carts:
        carts[cart["visitor_id"]].append(cart["ts"])
    for purchase in new:
        if purchase["type"] == "purchase":
            purchase["influenced"] = any(purchase["ts"] - INFLUENCE_WINDOW <= ts <= purchase["ts"]
                                         for ts in carts[purchase["visitor_id"]])
    later = [p.event_id for p in stored if p.type == "purchase" and not p.influenced and any(
        c["visitor_id"] == p.visitor_id and c["ts"] <= p.ts <= c["ts"] + INFLUENCE_WINDOW
        for c in new_carts)]
    if later:
        session.execute(update(e).where(col(e.event_id).in_(later)).values(influenced=True))


def record_events(session: Session, events: list[OutcomeEventIn]) -> EventsAccepted:
    """Store the events not stored before; a resent event id is a duplicate."""
    unique = list({e.event_id: e for e in events}.values())
    known = set(session.exec(select(OutcomeEvent.event_id).where(
        col(OutcomeEvent.event_id).in_([e.event_id for e in unique]))).all())
    received = utcnow()
    new = [e.model_dump() | {"influenced": False, "received_at": received}
           for e in unique if e.event_id not in known]
    _mark_influence(session, new)
    table = OutcomeEvent.__table__  # type: ignore[attr-defined]
    if not new:
        return EventsAccepted(accepted=0, duplicates=len(events))
    try:
        with session.begin_nested():
            session.connection().execute(insert(table), new)
        stored = len(new)
    except IntegrityError:
        # A concurrent request stored some of the same ids: one at a time, the key decides.
        stored = 0
        for row in new:
            try:
                with session.begin_nested():
                    session.connection().execute(insert(table), [row])
                stored += 1
            except IntegrityError:
                pass
    return EventsAccepted(accepted=stored, duplicates=len(events) - stored)
