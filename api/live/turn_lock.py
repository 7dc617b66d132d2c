"""The per-conversation turn lock: one turn at a time per conversation, across processes.

Two layers.  In this process an `asyncio.Lock` per conversation queues a shopper's double
text behind the turn being answered without touching the database.  Across processes a
lease row (`ConversationLease`) is taken with one conditional upsert, renewed while the turn
runs and deleted at its end; a worker that dies stops renewing, and the lease lapses after
`lease_s`.  Unlike a PostgreSQL advisory or row lock it holds no database connection while
the model answers (one connection per running turn would run the pool dry), and it works the
same on SQLite, where several `tandem serve --workers N` processes share one file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.models import ConversationLease
from domain.tables import utcnow

log = logging.getLogger(__name__)
_LEASES = ConversationLease.__table__  # type: ignore[attr-defined]
PROCESS_ID = f"{socket.gethostname()[:30]}:{os.getpid()}"


class ConversationBusy(TimeoutError):
    """Another turn of this conversation held the lock for longer than we could wait."""


@dataclass
class _Local:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ConversationLocks:
    """`async with locks.hold(conversation_id, wait_s=...)`: the conversation is ours, or
    `ConversationBusy` after `wait_s` (0: one try, for the stranded-turn sweep)."""

    def __init__(self, engine: Engine, *, lease_s: float = 15.0,
                 single_process: bool = False) -> None:
        self._engine = engine
        self._single_process = single_process
        """Only this process uses the database (SQLite, one worker): the in-process lock
        is the whole lock, and a turn costs no lease writes."""
        self._lease = timedelta(seconds=lease_s)
        self._renew_every = lease_s / 3
        self._local: dict[str, _Local] = {}

    def busy_here(self, conversation_id: str) -> bool:
        """A turn of this conversation runs or waits in this process."""
        local = self._local.get(conversation_id)
        return local is not None and local.users > 0

    @asynccontextmanager
    async def hold(self, conversation_id: str, *, wait_s: float) -> AsyncIterator[None]:
        local = self._local.setdefault(conversation_id, _Local())
        local.users += 1
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait_s
            if local.lock.locked() and wait_s <= 0:
                raise ConversationBusy(conversation_id)
            try:
                await asyncio.wait_for(local.lock.acquire(), timeout=max(wait_s, 0.001))
            except TimeoutError as exc:
                raise ConversationBusy(conversation_id) from exc
            if self._single_process:
                try:
                    yield
                finally:
                    local.lock.release()
                return
            try:
                owner = await self._acquire_lease(conversation_id, deadline)
                renewer = asyncio.create_task(self._renew(conversation_id, owner))
                try:
                    yield
                finally:
                    renewer.cancel()
                    with suppress(asyncio.CancelledError):
                        await renewer
                    await asyncio.shield(asyncio.to_thread(self._release, conversation_id,
                                                           owner))
            finally:
                local.lock.release()
        finally:
            local.users -= 1
            if local.users == 0:  # nobody waits: forget it, so the dict does not grow forever
                self._local.pop(conversation_id, None)

    async def _acquire_lease(self, conversation_id: str, deadline: float) -> str:
        owner = f"{PROCESS_ID}:{uuid.uuid4().hex[:12]}"
        loop = asyncio.get_running_loop()
        pause = 0.01
        while not await asyncio.to_thread(self._take, conversation_id, owner):
            # Held by another process (a double text that reached another worker): wait for
            # its turn to end.  Rare, so polling with backoff is cheaper than a channel.
            if loop.time() + pause > deadline:
                raise ConversationBusy(conversation_id)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.25)
        return owner

    def _take(self, conversation_id: str, owner: str) -> bool:
        now = utcnow()
        values = {"conversation_id": conversation_id, "owner": owner,
                  "expires_at": now + self._lease}
        insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(_LEASES).values(**values).on_conflict_do_update(
            index_elements=["conversation_id"],
            set_={"owner": owner, "expires_at": values["expires_at"]},
            where=_LEASES.c.expires_at < now,
        ).returning(_LEASES.c.owner)
        with self._engine.begin() as conn:
            row = conn.execute(statement).first()
        return row is not None and row[0] == owner

    async def _renew(self, conversation_id: str, owner: str) -> None:
        while True:
            await asyncio.sleep(self._renew_every)
            try:
                await asyncio.to_thread(self._extend, conversation_id, owner)
            except SQLAlchemyError:  # the database is down: the next renewal retries
                log.warning("could not renew the turn lease of conversation %s",
                            conversation_id, exc_info=True)

    def _extend(self, conversation_id: str, owner: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(_LEASES).where(
                _LEASES.c.conversation_id == conversation_id, _LEASES.c.owner == owner,
            ).values(expires_at=utcnow() + self._lease))

    def _release(self, conversation_id: str, owner: str) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(_LEASES).where(_LEASES.c.conversation_id == conversation_id,
                                                   _LEASES.c.owner == owner))
        except SQLAlchemyError:  # it lapses by itself after one lease
            log.warning("could not release the turn lease of conversation %s", conversation_id,
                        exc_info=True)
