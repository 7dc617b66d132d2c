"""Several workers starting at once on a fresh PostgreSQL database all start.

`tandem serve --workers 4` starts four processes that each open the graph's checkpointer
and run its migrations.  Before they took turns, two of them inserted the same migration
row, failed to start, and uvicorn stopped the whole server (the load bench's held event
streams all ended mid-run).
"""

from __future__ import annotations

import asyncio

import pytest

from api.checkpoints import open_checkpointer
from tests.conftest import _postgres_database

WORKERS = 4


async def _start(url: str) -> None:
    async with open_checkpointer(url) as saver:
        assert await saver.aget_tuple({"configurable": {"thread_id": "none"}}) is None


@pytest.mark.postgres
async def test_four_workers_opening_a_fresh_database_at_once_all_start() -> None:
    for url in _postgres_database():
        started = await asyncio.wait_for(
            asyncio.gather(*[_start(url) for _ in range(WORKERS)], return_exceptions=True),
            timeout=60)
        assert [repr(r) for r in started if r is not None] == []
