"""The database engine and sessions.  Schema is created with `create_all` (documented in
the README) and brought up to date additively (`domain/schema.py`); the same code serves
SQLite and PostgreSQL.  `engine_for` creates the tables
registered so far: the domain's always, the web app's once `api.db` has imported them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from domain import (
    catalogue_version,  # noqa: F401  (raises it with every catalogue change)
    tables,  # noqa: F401  (registers the tables on SQLModel.metadata)
)
from domain.schema import upgrade_schema


# PostgreSQL: enough connections for every thread that may hold one at once (Starlette's 40
# threads for sync routes and dependencies plus the loop's executor for graph nodes and turn
# persistence); with fewer, a burst of shoppers leaves every thread waiting for a connection
# that only a thread can give back, and requests fail after the pool's 30 s timeout.
# SQLite keeps SQLAlchemy's default pool (5 + 10): with 50 connections to one file, 64
# conversations at once crashed the sqlite3 module here; 32 at once pass with the default.
@dataclass(frozen=True)
class PoolSize:
    """PostgreSQL connections one process's engine keeps open and may add under a burst
    (`TANDEM_DB_POOL_SIZE`, `TANDEM_DB_POOL_OVERFLOW`)."""

    size: int = 10
    overflow: int = 40

    @property
    def most(self) -> int:
        """The most connections one process's engine opens to PostgreSQL."""
        return self.size + self.overflow


DEFAULT_POOL = PoolSize()


def make_engine(url: str, pool: PoolSize = DEFAULT_POOL) -> Engine:
    """An engine for `url`; SQLite gets WAL and a busy timeout so API workers share it."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # connect_timeout: while PostgreSQL restarts, a request fails in seconds (503), never
    # waits on a connection that will not come.
    return create_engine(url, pool_pre_ping=True, pool_size=pool.size,
                         max_overflow=pool.overflow, connect_args={"connect_timeout": 3})


@lru_cache(maxsize=8)
def engine_for(url: str, pool: PoolSize = DEFAULT_POOL) -> Engine:
    """One engine per database URL per process, its tables created or brought up to date."""
    engine = make_engine(url, pool)
    SQLModel.metadata.create_all(engine)
    upgrade_schema(engine)  # a database from an older Tandem gets the columns added since
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
