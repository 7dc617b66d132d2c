"""Events: written in the same transaction as the change they announce, read back by id.

A stream's client remembers the last id it saw; reconnecting with `Last-Event-ID` replays
everything after it, so a dropped connection or a restarted worker loses nothing.  Events
stay small: one message or one status change, never a transcript.

Ordering: ids come from the database, and a reader that saw id 11 must never later find a
10 committed after it.  Writers of one conversation's events therefore lock its row first
(`FOR UPDATE`; SQLite serialises writers anyway), so within a conversation ids commit in
order.  Console events span conversations; the console re-reads the whole queue on any
event, so a late one costs at most a late refresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from api.models import Conversation, Event

Audience = Literal["shopper", "console"]
NOTIFY_KEY = "tandem_notify"
"""`session.info` key: topics to wake once the transaction commits (api/live/bus.py)."""
CHANNEL = "tandem_events"
REPLAY_LIMIT = 200


def topic(audience: Audience, conversation_id: str) -> str:
    """The bus topic a stream listens on: one per shopper conversation, one for the console."""
    return f"shopper:{conversation_id}" if audience == "shopper" else "console"


def record_event(session: Session, *, conversation_id: str, audience: Audience, kind: str,
                 data: dict[str, Any]) -> Event:
    """Store an event in the caller's transaction; its streams wake when that commits."""
    session.execute(select(Conversation.id).where(Conversation.id == conversation_id)
                    .with_for_update())
    event = Event(conversation_id=conversation_id, audience=audience, kind=kind, data=data)
    session.add(event)
    session.flush()
    name = topic(audience, conversation_id)
    pending: set[str] = session.info.setdefault(NOTIFY_KEY, set())
    if name not in pending:
        pending.add(name)
        bind = session.get_bind()
        if bind.dialect.name == "postgresql":
            # Delivered by PostgreSQL at commit, to every listening process, never for a
            # transaction that rolls back.
            session.execute(select(func.pg_notify(CHANNEL, name)))
    return event


def events_after(session: Session, *, audience: Audience, after: int,
                 conversation_id: str | None = None) -> list[Event]:
    """Events newer than `after`, oldest first (at most `REPLAY_LIMIT` per read)."""
    query = select(Event).where(Event.audience == audience, col(Event.id) > after)
    if conversation_id is not None:
        query = query.where(Event.conversation_id == conversation_id)
    return list(session.exec(query.order_by(col(Event.id)).limit(REPLAY_LIMIT)).all())


def latest_event_id(session: Session) -> int:
    """The newest event's id: where a fresh console stream starts."""
    return int(session.exec(select(func.max(Event.id))).one() or 0)


def trim_events(session: Session, *, older_than: datetime) -> int:
    """Delete events older than the retention window; returns how many."""
    result = session.execute(delete(Event).where(col(Event.created_at) < older_than))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
