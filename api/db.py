"""The web app's database: the domain's engine and sessions, with the app's own tables
created beside the domain's (`domain/db.py` makes the engine; this adds `api.models`)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from api import models  # noqa: F401  (registers the app's tables on SQLModel.metadata)
from domain.db import DEFAULT_POOL, PoolSize, make_engine, session_scope
from domain.db import engine_for as domain_engine_for

__all__ = ["PoolSize", "engine_for", "make_engine", "session_scope"]


@lru_cache(maxsize=8)
def engine_for(url: str, pool: PoolSize = DEFAULT_POOL) -> Engine:
    """One engine per database URL per process, with every table the app uses created
    (the domain's engine may have been opened before the app's tables were registered)."""
    engine = domain_engine_for(url, pool)
    SQLModel.metadata.create_all(engine)
    return engine
