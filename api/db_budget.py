"""Do all the workers' PostgreSQL connections fit the server's `max_connections`?

Each worker process may open up to `per_worker_connections()` connections: the engine's
pool (sync routes and turn persistence), the graph's checkpointer pool, the job queue's
pool and one LISTEN connection.  Four workers on a default PostgreSQL (100 connections, 3
kept for superusers) can ask for more than it has; the pools open lazily, so that shows
only under a burst, as "too many clients" errors.  The server says so at start-up, with
the numbers and what to do, instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.checkpoints import CHECKPOINT_POOL_MAX
from domain.db import DEFAULT_POOL, PoolSize

log = logging.getLogger(__name__)
JOB_POOL_MAX = 3
"""The most connections one process's job queue opens (api/jobs/postgres.py uses it)."""
LISTEN_CONNECTIONS = 1
"""The event bus's LISTEN connection (api/live/bus.py)."""


def per_worker_connections(pool: PoolSize = DEFAULT_POOL) -> int:
    return pool.most + CHECKPOINT_POOL_MAX + JOB_POOL_MAX + LISTEN_CONNECTIONS


@dataclass(frozen=True)
class ConnectionBudget:
    workers: int
    per_worker: int
    needed: int
    available: int
    """`max_connections` less the superuser reserve."""

    @property
    def fits(self) -> bool:
        return self.needed <= self.available

    def advice(self) -> str:
        return (f"{self.workers} workers may open up to {self.needed} PostgreSQL connections "
                f"({self.per_worker} each) but the server accepts {self.available} "
                f"(max_connections less superuser_reserved_connections): under a burst some "
                f"requests will fail with 'too many clients'. Raise max_connections to at "
                f"least {self.needed + self.available // 10 + 3}, run fewer workers, lower "
                f"TANDEM_DB_POOL_OVERFLOW (each worker's burst connections), or put PgBouncer "
                f"in front.")


def connection_budget(engine: Engine, workers: int,
                      pool: PoolSize = DEFAULT_POOL) -> ConnectionBudget:
    with engine.connect() as conn:
        most = int(conn.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    each = per_worker_connections(pool)
    return ConnectionBudget(workers=workers, per_worker=each, needed=workers * each,
                            available=most - reserved)


def warn_if_over_budget(engine: Engine, workers: int,
                        pool: PoolSize = DEFAULT_POOL) -> ConnectionBudget | None:
    """Log a warning when the workers' connections may exceed the server's; best effort
    (a database that cannot say is not a reason to refuse to start)."""
    try:
        budget = connection_budget(engine, workers, pool)
    except Exception as exc:  # noqa: BLE001 - only a warning depends on it
        log.info("could not read PostgreSQL's connection limit: %s", exc)
        return None
    if not budget.fits:
        log.warning("connection budget: %s", budget.advice())
    return budget
