"""Event streams as server-sent events: replay from `Last-Event-ID`, then live.

A stream subscribes to its topic before it reads the table, so an event committed between
the read and the subscription still wakes it.  Every event goes out with its database id
as the SSE `id`; a browser's `EventSource` (or the widget's reader) sends the last one back
when it reconnects.  A comment line every `HEARTBEAT_S` keeps proxies from closing an idle
stream; while the bus cannot promise a wake-up (its LISTEN connection is down, or several
SQLite workers each see only their own commits) the stream also reads the table every
`POLL_S`.  The stream ends when the server shuts down; the client reconnects elsewhere.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.live.bus import LocalBus
from api.live.events import REPLAY_LIMIT, Audience, events_after, topic
from api.models import Event

HEARTBEAT_S = 15.0
POLL_S = 2.0
RETRY_MS = 2000
"""Sent as the SSE `retry:` field: how soon a client reconnects after a drop."""


def sse(kind: str, data: dict[str, object], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, default=str)}\n\n"


def _reader(engine: Engine, audience: Audience, conversation_id: str | None
            ) -> Callable[[int], list[Event]]:
    def read(after: int) -> list[Event]:
        with Session(engine) as session:
            return events_after(session, audience=audience, after=after,
                                conversation_id=conversation_id)
    return read


async def event_stream(engine: Engine, bus: LocalBus, *, audience: Audience, after: int,
                       conversation_id: str | None = None) -> AsyncIterator[str]:
    """SSE text for one client, from the event after `after` on, until shutdown."""
    read = _reader(engine, audience, conversation_id)
    async with bus.subscribe(topic(audience, conversation_id or "")) as doorbell:
        yield f"retry: {RETRY_MS}\n\n"
        while not bus.stopping.is_set():
            try:
                events = await asyncio.to_thread(read, after)
            except SQLAlchemyError:
                events = []  # the database is away: try again at the next poll
                yield ": database unavailable, retrying\n\n"
            for event in events:
                after = event.id or after
                yield sse(event.kind, event.data, after)
            if len(events) < REPLAY_LIMIT:  # else more are waiting: read on at once
                woke = await doorbell.wait(HEARTBEAT_S if bus.healthy else POLL_S)
                if not woke and bus.healthy:
                    yield ": keep-alive\n\n"
