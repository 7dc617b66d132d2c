"""The job queue on the embedded SQLite default: a table and a runner in this process.

A job is a row until it is done.  A running job holds a lease (`lease_until`) that its
process renews every `RENEW_EVERY_S`; a job whose lease has passed was left `doing` by a
process that stopped or died, and is `todo` again: checked at start-up and every
`RENEW_EVERY_S` after, by every process on the database (several `tandem serve --workers`
share one SQLite file), so nothing deferred is lost and a job another live process is
running is never run twice.  One job runs at a time; a failed one is retried after 2, 4,
8... seconds, up to `MAX_ATTEMPTS`, then kept as `failed` with its error.  Retention is
deferred hourly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from api.db import session_scope
from api.jobs.work import JOBS, MAX_ATTEMPTS, run_job
from api.models import Job
from api.runtime import TandemRuntime
from domain.tables import utcnow

log = logging.getLogger(__name__)
IDLE_POLL_S = 5.0
LEASE_S = 60.0
RENEW_EVERY_S = 20.0
RETENTION_EVERY = timedelta(hours=1)


class LocalJobQueue:
    def __init__(self, rt: TandemRuntime) -> None:
        self._rt = rt
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_retention = utcnow()
        self._next_lapse_check = utcnow()

    async def defer(self, name: str, **args: Any) -> None:
        if name not in JOBS:
            raise KeyError(f"no job named {name!r}")
        await asyncio.to_thread(self._insert, name, args)
        self._wake.set()

    def _insert(self, name: str, args: dict[str, Any]) -> None:
        with session_scope(self._rt.engine) as session:
            session.add(Job(name=name, args=args))

    async def start(self) -> None:
        await self._requeue_lapsed()
        self._task = asyncio.create_task(self._run_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _pending(self) -> int:
        with Session(self._rt.engine) as session:
            return len(session.exec(select(Job.id).where(
                col(Job.status).in_(("todo", "doing")), Job.name != "retention")).all())

    async def wait_idle(self, timeout_s: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while await asyncio.to_thread(self._pending):
            if loop.time() > deadline:
                return False
            self._wake.set()
            await asyncio.sleep(0.05)
        return True

    async def _requeue_lapsed(self) -> None:
        self._next_lapse_check = utcnow() + timedelta(seconds=RENEW_EVERY_S)
        try:
            resumed = await asyncio.to_thread(self._requeue_lapsed_rows)
        except SQLAlchemyError as exc:
            log.warning("job queue: checking for lapsed jobs failed (%s)",
                        exc.__class__.__name__)
            return
        if resumed:
            log.info("job queue: %d job(s) whose process stopped run again", resumed)

    def _requeue_lapsed_rows(self) -> int:
        lapsed = (col(Job.status) == "doing") & (
            col(Job.lease_until).is_(None) | (col(Job.lease_until) < utcnow()))
        with session_scope(self._rt.engine) as session:
            # Read first: an UPDATE takes SQLite's write lock even when it matches nothing.
            if session.exec(select(Job.id).where(lapsed).limit(1)).first() is None:
                return 0
            result = session.execute(update(Job).where(lapsed)
                                     .values(status="todo", lease_until=None))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _hand_back(self, job_id: int) -> None:
        with session_scope(self._rt.engine) as session:
            session.execute(update(Job).where(col(Job.id) == job_id, col(Job.status) == "doing")
                            .values(status="todo", lease_until=None,
                                    attempts=col(Job.attempts) - 1))

    def _renew(self, job_id: int) -> None:
        with session_scope(self._rt.engine) as session:
            session.execute(update(Job).where(col(Job.id) == job_id, col(Job.status) == "doing")
                            .values(lease_until=utcnow() + timedelta(seconds=LEASE_S)))

    async def _keep_lease(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY_S)
            try:
                await asyncio.to_thread(self._renew, job_id)
            except SQLAlchemyError as exc:  # tried again at the next renewal
                log.warning("job queue: renewing job %s failed (%s)", job_id,
                            exc.__class__.__name__)

    def _claim_next(self) -> Job | None:
        """The next job due, claimed by one conditional UPDATE: when two servers share the
        database (a second `tandem serve` on the same SQLite file), the one whose update
        matches no row lost the race and leaves the job to the other."""
        with session_scope(self._rt.engine) as session:
            job_id = session.exec(select(Job.id).where(
                col(Job.status) == "todo", col(Job.run_after) <= utcnow(),
            ).order_by(col(Job.run_after), col(Job.id)).limit(1)).first()
            if job_id is None:
                return None
            claimed = session.execute(
                update(Job).where(col(Job.id) == job_id, col(Job.status) == "todo")
                .values(status="doing", attempts=col(Job.attempts) + 1,
                        lease_until=utcnow() + timedelta(seconds=LEASE_S)))
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return None
            job = session.get(Job, job_id)
            if job is None:
                return None
            session.expunge(job)
            return job

    def _done(self, job: Job, error: str | None) -> None:
        with session_scope(self._rt.engine) as session:
            row = session.get(Job, job.id)
            if row is None:
                return
            if error is None:
                # A statement, not session.delete: a process that took the job up after
                # this one's lease lapsed (a renewal failed) may have deleted it first.
                session.execute(delete(Job).where(col(Job.id) == job.id))
            elif row.attempts >= MAX_ATTEMPTS:
                row.status, row.last_error = "failed", error[:300]
                log.error("job %s %s failed for good: %s", row.name, row.args, error)
            else:
                row.status, row.last_error, row.lease_until = "todo", error[:300], None
                row.run_after = utcnow() + timedelta(seconds=2 ** row.attempts)

    def _retention_due(self) -> bool:
        with Session(self._rt.engine) as session:
            return session.exec(select(Job.id).where(
                Job.name == "retention", col(Job.status) == "todo")).first() is None

    async def _run_forever(self) -> None:
        while True:
            if utcnow() >= self._next_lapse_check:
                await self._requeue_lapsed()
            if utcnow() >= self._next_retention:
                self._next_retention = utcnow() + RETENTION_EVERY
                if await asyncio.to_thread(self._retention_due):
                    await self.defer("retention")
            try:
                job = await asyncio.to_thread(self._claim_next)
            except SQLAlchemyError as exc:  # the database is busy or gone: try again later
                log.warning("job queue: claiming a job failed (%s)", exc.__class__.__name__)
                job = None
            if job is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=IDLE_POLL_S)
                continue
            error: str | None = None
            lease = asyncio.create_task(self._keep_lease(job.id or 0))
            try:
                await run_job(self._rt, job.name, job.args)
            except asyncio.CancelledError:
                # Stopping: hand the job back now rather than leave it to its lease.
                with contextlib.suppress(SQLAlchemyError):
                    self._hand_back(job.id or 0)
                raise
            except Exception as exc:  # a job's failure is recorded and retried, never fatal
                log.exception("job %s failed", job.name)
                error = f"{exc.__class__.__name__}: {exc}"
            finally:
                lease.cancel()
            await asyncio.to_thread(self._done, job, error)
