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
from sqlmodel import Session

from api.live.events import CHANNEL, NOTIFY_KEY

log = logging.getLogger(__name__)
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
    """Fan-out to the streams of this process."""

    cross_process = False

    def __init__(self, engine: Engine, *, single_process: bool = True) -> None:
        self._engine = engine
        self._single_process = single_process
        self._topics: dict[str, set[Subscription]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stopping = asyncio.Event()
        """Set when the server shuts down: streams end so workers can exit."""

    @property
    def healthy(self) -> bool:
        """Every committed event wakes its streams (False: streams also poll the table, as
        when several SQLite workers share one file and each sees only its own commits)."""
        return self._single_process

    @property
    def subscribers(self) -> int:
        return sum(len(subs) for subs in self._topics.values())

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        _buses[id(self._engine)] = self

    def begin_stop(self) -> None:
        """End every stream (they see `stopping` when woken); the bus still delivers."""
        self.stopping.set()
        self.wake_all()

    async def stop(self) -> None:
        self.begin_stop()
        _buses.pop(id(self._engine), None)

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
