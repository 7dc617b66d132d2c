"""Several SQLite workers: held event streams cost the database one read per worker every
two seconds, not one per stream, and a reply written by another worker still arrives.

SQLite has no NOTIFY, so a worker learns of another's events by reading the table.  Each
idle stream used to do that itself: 500 held streams on four workers made 250 reads a
second, against the same file the shoppers' turns write to.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event

from api.db import engine_for, make_engine, session_scope
from api.live.bus import LocalBus
from api.live.events import record_event
from api.live.streams import event_stream
from api.services.conversations import create_conversation

STREAMS = 50
IDLE_S = 4.5


async def _next_event(first: asyncio.Future[str], stream: AsyncIterator[str]) -> str:
    """The stream's next event, past keep-alive comments."""
    text = await first
    while text.startswith(":"):
        text = await anext(stream)
    return text


async def test_idle_streams_share_one_poll_and_still_hear_another_workers_reply(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    ours, theirs = engine_for(url), make_engine(url)  # this worker's engine, another's
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM event" in statement:
            reads.append(statement)

    event.listen(ours, "before_cursor_execute", count)
    with session_scope(theirs) as session:
        conversation, _ = create_conversation(session=session, personalization=False)
    bus = LocalBus(ours, single_process=False)  # as with `tandem serve --workers 4`
    await bus.start()
    streams: list[AsyncIterator[str]] = [
        event_stream(ours, bus, audience="shopper", after=0,
                     conversation_id=conversation.id if i == 0 else f"idle-{i}")
        for i in range(STREAMS)]
    try:
        for stream in streams:
            assert (await anext(stream)).startswith("retry:")
        waiting = [asyncio.ensure_future(anext(stream)) for stream in streams]
        await asyncio.sleep(IDLE_S)
        idle_reads = len(reads)
        with session_scope(theirs) as session:
            record_event(session, conversation_id=conversation.id, audience="shopper",
                         kind="message", data={"text": "from the other worker"})
        delivered = await asyncio.wait_for(_next_event(waiting[0], streams[0]), timeout=5)
    finally:
        await bus.stop()
        for task in waiting:
            task.cancel()
        for stream in streams:
            with contextlib.suppress(Exception):
                await stream.aclose()  # type: ignore[attr-defined]
        event.remove(ours, "before_cursor_execute", count)
        theirs.dispose()
    assert "event: message" in delivered and "from the other worker" in delivered
    # Each stream reads once as it opens; then the bus polls for all of them.
    assert idle_reads <= STREAMS + 2 * (IDLE_S / 2 + 1), idle_reads
