"""The LangGraph checkpointer on the same database as the app (SQLite or PostgreSQL), so a
server restart loses no conversation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import text
from sqlalchemy.engine import Engine

CHECKPOINT_POOL_MAX = 10
"""The most connections one process's checkpointer opens to PostgreSQL."""

if TYPE_CHECKING:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver


@asynccontextmanager
async def open_checkpointer(database_url: str) -> AsyncIterator[BaseCheckpointSaver[str]]:
    if database_url.startswith("sqlite"):
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = database_url.split("///", 1)[-1]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        async with AsyncSqliteSaver.from_conn_string(path) as saver:
            await saver.setup()
            yield saver
        return
    if database_url.startswith("postgresql"):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        # `check`: a connection broken by a database restart is replaced when taken from
        # the pool, not handed to a turn that then fails.
        async with AsyncConnectionPool(
            conninfo, min_size=1, max_size=CHECKPOINT_POOL_MAX, open=False,
            check=AsyncConnectionPool.check_connection,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row,
                    "connect_timeout": 3},
        ) as pool:
            pg_saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
            await _setup_alone(pg_saver, conninfo)
            yield pg_saver
        return
    raise ValueError(f"no checkpointer for database URL {database_url.split(':', 1)[0]}")


_SETUP_LOCK = 7_220_302  # pg_advisory_lock key (api/jobs/postgres.py uses 7_220_301)


async def _setup_alone(saver: AsyncPostgresSaver, conninfo: str) -> None:
    """The saver's migrations, one worker at a time: `tandem serve --workers 4` on a fresh
    database had two workers insert the same migration row, fail to start, and uvicorn then
    stopped the whole server (seen under the load bench).  The lock is polled, not waited
    for: a session waiting in `pg_advisory_lock` holds a snapshot, and the migrations'
    `CREATE INDEX CONCURRENTLY` in the holder waits for every such snapshot (a deadlock
    PostgreSQL does not detect)."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True,
                                                     connect_timeout=3) as conn:
        while not (await (await conn.execute("SELECT pg_try_advisory_lock(%s)",
                                             (_SETUP_LOCK,))).fetchone() or [False])[0]:
            await asyncio.sleep(0.1)
        try:
            await saver.setup()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))


# Retention (api/jobs/work.py): only a conversation's latest checkpoint is ever read.
_SQLITE_PRUNE = [
    """DELETE FROM writes WHERE checkpoint_id < (
         SELECT max(c.checkpoint_id) FROM checkpoints c
         WHERE c.thread_id = writes.thread_id AND c.checkpoint_ns = writes.checkpoint_ns)""",
    """DELETE FROM checkpoints WHERE checkpoint_id < (
         SELECT max(c.checkpoint_id) FROM checkpoints c
         WHERE c.thread_id = checkpoints.thread_id
           AND c.checkpoint_ns = checkpoints.checkpoint_ns)""",
]
PRUNE_BATCH = 500


async def prune_checkpoints(saver: BaseCheckpointSaver[str] | None, engine: Engine) -> int:
    """Delete every checkpoint but each conversation's latest; returns how many went.

    Checkpoint ids are time-ordered (uuid6), so the latest is the greatest.  PostgreSQL's
    saver prunes itself (its channel blobs are shared between checkpoints); SQLite's has no
    prune, and its two tables are trimmed here."""
    if engine.dialect.name == "sqlite":
        def trim() -> int:
            with engine.begin() as conn:
                return sum(int(conn.execute(text(sql)).rowcount or 0)  # type: ignore[attr-defined]
                           for sql in _SQLITE_PRUNE)
        return await asyncio.to_thread(trim)
    if saver is None:
        return 0

    def crowded() -> list[tuple[str, int]]:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT thread_id, count(*) FROM checkpoints GROUP BY thread_id "
                "HAVING count(*) > 1 LIMIT :n"), {"n": PRUNE_BATCH}).all()
        return [(str(r[0]), int(r[1])) for r in rows]

    threads = await asyncio.to_thread(crowded)
    if threads:
        await saver.aprune([t for t, _ in threads], strategy="keep_latest")
    return sum(n - 1 for _, n in threads)
