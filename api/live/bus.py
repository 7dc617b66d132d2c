"""Wake the event streams waiting on a topic when an event for it commits.

`LocalBus` fans out inside one process: enough for the embedded SQLite default (one
process).  `PostgresBus` adds PostgreSQL LISTEN/NOTIFY: the writer's `pg_notify` is
transactional (sent at commit, never for a rolled-back write, never before the row is
readable), it needs no service beside the database already in use, and push keeps working
when Redis is gone.  Notifications carry only the topic; the stream reads the events
themselves from the table, from its last id, so a missed or doubled wake-up costs one query
and loses nothing.  While the listening connection is down the bus says so (`healthy`), and
streams read the table every `poll_s` until it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from api.live.events import CHANNEL, NOTIFY_KEY, latest_event_id, topic
from api.models import Event

log = logging.getLogger(__name__)
POLL_S = 2.0
"""How often several SQLite workers look for each other's events (api/live/streams.py
reads the table itself this often while the bus cannot promise a wake-up)."""
POLL_PAGE = 500
_buses: dict[int, LocalBus] = {}
"""The bus of each engine in this process, for the after-commit hook below."""


class Subscription:
    """A stream's doorbell: `wait(timeout)` returns True when woken, False on timeout."""

    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        self._rung.set()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._rung.wait(), timeout=timeout)
        except TimeoutError:
            return False
        self._rung.clear()
        return True


class LocalBus:
    """Fan-out to the streams of this process.  With several processes on one SQLite file
    (no NOTIFY there) one task per process reads the new events' topics every `POLL_S`
    and wakes their streams: one query per process, where each held stream used to read
    the table itself (500 idle streams on four workers made 250 reads a second)."""

    cross_process = False

    def __init__(self, engine: Engine, *, single_process: bool = True) -> None:
        self._engine = engine
        self._single_process = single_process
        self._topics: dict[str, set[Subscription]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poller: asyncio.Task[None] | None = None
        self._polling = False
        self.stopping = asyncio.Event()
        """Set when the server shuts down: streams end so workers can exit."""

    @property
    def healthy(self) -> bool:
        """Every committed event wakes its streams (False: streams also read the table
        every `POLL_S` themselves, as while the table poller cannot read)."""
        return self._single_process or self._polling

    @property
    def subscribers(self) -> int:
        return sum(len(subs) for subs in self._topics.values())

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        _buses[id(self._engine)] = self
        if not self._single_process:
            self._poller = asyncio.create_task(self._poll())

    def begin_stop(self) -> None:
        """End every stream (they see `stopping` when woken); the bus still delivers."""
        self.stopping.set()
        self.wake_all()

    async def stop(self) -> None:
        self.begin_stop()
        _buses.pop(id(self._engine), None)
        if self._poller is not None:
            self._poller.cancel()
            with suppress(asyncio.CancelledError):
                await self._poller

    async def _poll(self) -> None:
        """Wake the streams of every topic with events committed by any process."""
        last: int | None = None
        while True:
            try:
                if last is None:
                    last = await asyncio.to_thread(self._newest)
                while True:  # page by page, while pages come back full
                    rows = await asyncio.to_thread(self._new_topics, last)
                    if rows:
                        last = rows[-1][0]
                        self.wake({topic(audience, conversation_id)  # type: ignore[arg-type]
                                   for _, audience, conversation_id in rows})
                    if len(rows) < POLL_PAGE:
                        break
                self._polling = True
            except SQLAlchemyError as exc:
                if self._polling:
                    log.warning("event bus: cannot read new events (%s); streams poll "
                                "until it can", exc.__class__.__name__)
                    self._polling = False
                    self.wake_all()
            await asyncio.sleep(POLL_S)

    def _newest(self) -> int:
        with Session(self._engine) as session:
            return latest_event_id(session)

    def _new_topics(self, after: int) -> list[tuple[int, str, str]]:
        with Session(self._engine) as session:
            rows = session.exec(select(Event.id, Event.audience, Event.conversation_id)
                                .where(col(Event.id) > after).order_by(col(Event.id))
                                .limit(POLL_PAGE)).all()
        return [(int(i or 0), str(a), str(c)) for i, a, c in rows]

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        self._topics[topic].add(subscription)
        try:
            yield subscription
        finally:
            subs = self._topics.get(topic)
            if subs is not None:
                subs.discard(subscription)
                if not subs:
                    del self._topics[topic]

    def wake(self, topics: Iterable[str]) -> None:
        for name in topics:
            for subscription in self._topics.get(name, ()):
                subscription.ring()

    def wake_all(self) -> None:
        for subs in self._topics.values():
            for subscription in subs:
                subscription.ring()

    def committed(self, topics: set[str]) -> None:
        """Called from any thread after a commit that recorded events."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.wake, topics)


class PostgresBus(LocalBus):
    """LocalBus plus one LISTEN connection per process, reconnecting on its own."""

    cross_process = True

    def __init__(self, engine: Engine, conninfo: str) -> None:
        super().__init__(engine)
        self._conninfo = conninfo
        self._listening = False
        self._task: asyncio.Task[None] | None = None

    @property
    def healthy(self) -> bool:
        return self._listening

    async def start(self) -> None:
        # Not registered for the after-commit hook: NOTIFY reaches this process's listener
        # too, so each commit wakes a stream once.
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        self.begin_stop()
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _listen(self) -> None:
        import psycopg

        pause = 0.2
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=True, connect_timeout=3) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._listening, pause = True, 0.2
                    self.wake_all()  # catch up on whatever committed while we were away
                    async for notify in conn.notifies():
                        self.wake((notify.payload,))
            except (psycopg.Error, OSError) as exc:
                if self._listening:
                    log.warning("event bus: lost the LISTEN connection (%s); streams poll "
                                "until it is back", exc.__class__.__name__)
            self._listening = False
            self.wake_all()
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)


def bus_for(engine: Engine, database_url: str, *, workers: int) -> LocalBus:
    if database_url.startswith("postgresql"):
        conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        return PostgresBus(engine, conninfo)
    return LocalBus(engine, single_process=workers == 1)


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    topics: set[str] | None = session.info.pop(NOTIFY_KEY, None)
    if not topics:
        return
    bind: Any = session.get_bind()
    bus = _buses.get(id(bind))
    if bus is not None:
        bus.committed(topics)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(NOTIFY_KEY, None)
