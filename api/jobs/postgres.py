"""The job queue on PostgreSQL: procrastinate, in the database already in use.

Every API worker runs a procrastinate worker in its own event loop, one job at a time
(after the shopper turns of that process, see api/jobs/work.py).  procrastinate retries a
failed job with exponential backoff, and a job left `doing` by a worker that died (its
heartbeat stops) is retried by the start-up check of any other.  The hourly retention job
is a periodic task: deferred once per hour across all workers.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import ConnectorException

from api.db_budget import JOB_POOL_MAX
from api.jobs.work import JOBS, MAX_ATTEMPTS, run_job
from api.runtime import TandemRuntime

log = logging.getLogger(__name__)
QUEUE = "tandem"
_SCHEMA_LOCK = 7_220_301  # pg_advisory_lock key: one worker applies the schema at a time
# Longer than the worker's graceful shutdown (5 s): a job still running gets that long.
STOP_TIMEOUT_S = 15.0


class ProcrastinateQueue:
    def __init__(self, rt: TandemRuntime, conninfo: str) -> None:
        self._rt = rt
        self._conninfo = conninfo
        self.app = App(connector=PsycopgConnector(
            conninfo=conninfo, min_size=1, max_size=JOB_POOL_MAX))
        retry = RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=2)

        @self.app.task(name="handoff_summary", queue=QUEUE, retry=retry)
        async def handoff_summary(**args: Any) -> None:
            await run_job(rt, "handoff_summary", args)

        @self.app.periodic(cron="17 * * * *", periodic_id="retention")
        @self.app.task(name="retention", queue=QUEUE, retry=retry)
        async def retention(timestamp: int) -> None:
            await run_job(rt, "retention", {})

        self._tasks = {"handoff_summary": handoff_summary}
        self._worker: asyncio.Task[None] | None = None
        self._opened = False

    async def defer(self, name: str, **args: Any) -> None:
        if name not in JOBS or name not in self._tasks:
            raise KeyError(f"no job named {name!r}")
        await self._tasks[name].defer_async(**args)

    async def wait_idle(self, timeout_s: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            jobs = await self.app.job_manager.list_jobs_async(queue=QUEUE)
            if not any(j.status in ("todo", "doing") and j.task_name != "retention"
                       for j in jobs):
                return True
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.1)

    async def _apply_schema(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._conninfo,
                                                         autocommit=True) as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
            try:
                row = await (await conn.execute(
                    "SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).fetchone()
                if not (row and row[0]):
                    await self.app.schema_manager.apply_schema_async()
                    log.info("job queue: procrastinate schema created")
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))

    async def _retry_stalled(self) -> None:
        manager = self.app.job_manager
        for job in await manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=30):
            log.info("job queue: retrying job %s left by a stopped worker", job.id)
            await manager.retry_job(job)

    async def start(self) -> None:
        await self.app.open_async()
        self._opened = True
        await self._apply_schema()
        await self._retry_stalled()
        self._worker = asyncio.create_task(self._work_forever())

    async def _work_forever(self) -> None:
        """The worker stops when the database goes away (a restart): start it again."""
        pause = 1.0
        while True:
            try:
                await self.app.run_worker_async(queues=[QUEUE], concurrency=1,
                                                install_signal_handlers=False,
                                                shutdown_graceful_timeout=5)
            except (ConnectorException, psycopg.Error, OSError) as exc:
                log.warning("job queue worker stopped (%s); restarting in %.0f s",
                            exc.__class__.__name__, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 30.0)

    async def stop(self) -> None:
        if self._worker is not None:
            await _cancel_until_done(self._worker, timeout_s=STOP_TIMEOUT_S)
        if self._opened:
            await self.app.close_async()


async def _cancel_until_done(task: asyncio.Task[None], *, timeout_s: float) -> None:
    """Cancel the worker until it ends.  One cancel is not enough: a cancel that lands while
    procrastinate registers the worker can be swallowed on the way (the worker then waits for
    a stop that never comes, and the app's shutdown with it); a later one reaches the
    worker's own wait, which stops it gracefully."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not task.done():
        if loop.time() > deadline:
            log.warning("job queue worker did not stop within %.0f s; left behind", timeout_s)
            return
        task.cancel()
        await asyncio.wait({task}, timeout=0.5)
    with suppress(asyncio.CancelledError):
        task.result()
