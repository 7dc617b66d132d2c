"""The background jobs themselves, by name: what each does with the runtime."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from api.checkpoints import prune_checkpoints
from api.db import session_scope
from api.live.events import trim_events
from api.runtime import TandemRuntime
from api.services.summaries import draft_ai_summary
from domain.tables import utcnow

log = logging.getLogger(__name__)
LIVE_TURNS_FIRST_MAX_WAIT_S = 30.0
MAX_ATTEMPTS = 5


async def after_live_turns(rt: TandemRuntime) -> None:
    """Wait while shopper turns run in this process (at most `LIVE_TURNS_FIRST_MAX_WAIT_S`,
    so a steady stream of shoppers cannot starve background work forever)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIVE_TURNS_FIRST_MAX_WAIT_S
    while rt.turns and loop.time() < deadline:
        await asyncio.sleep(0.05)


async def handoff_summary(rt: TandemRuntime, *, handoff_id: str) -> None:
    await draft_ai_summary(rt, handoff_id)


def _trim_events(rt: TandemRuntime) -> int:
    cutoff = utcnow() - timedelta(days=rt.settings.event_retention_days)
    with session_scope(rt.engine) as session:
        return trim_events(session, older_than=cutoff)


async def retention(rt: TandemRuntime) -> None:
    """Pushed events past `TANDEM_EVENT_RETENTION_DAYS`; every checkpoint of a conversation
    but its latest (only the latest is ever read; each older one holds the whole state of
    its time, so keeping them all grows with the square of a conversation's length)."""
    events = await asyncio.to_thread(_trim_events, rt)
    checkpoints = await prune_checkpoints(rt.graph.checkpointer, rt.engine)
    log.info("retention: %d event(s) and %d old checkpoint(s) deleted", events, checkpoints)


JOBS: dict[str, Callable[..., Awaitable[None]]] = {
    "handoff_summary": handoff_summary,
    "retention": retention,
}


async def run_job(rt: TandemRuntime, name: str, args: dict[str, Any]) -> None:
    await after_live_turns(rt)
    await JOBS[name](rt, **args)
