"""Background work through a durable job queue: AI handoff summaries and retention.

On PostgreSQL the queue is procrastinate's (api/jobs/postgres.py): jobs are rows in the
database already in use, every worker process runs one job at a time, failed jobs are
retried with backoff, jobs of a worker that died are retried by the others, and the hourly
retention job is deferred once across all workers.  On the embedded SQLite default a table
and an in-process runner do the same (api/jobs/local.py); jobs pending or running when the
process stopped are picked up at start-up.  Either way a job waits while shopper turns are
running in its process (`runtime.turns`): live turns always come first.
"""

from __future__ import annotations

from api.runtime import JobQueue, TandemRuntime


def job_queue_for(rt: TandemRuntime) -> JobQueue:
    """procrastinate on PostgreSQL, the in-process table queue on SQLite."""
    if rt.settings.database_url.startswith("postgresql"):
        from api.jobs.postgres import ProcrastinateQueue

        conninfo = rt.settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        return ProcrastinateQueue(rt, conninfo)
    from api.jobs.local import LocalJobQueue

    return LocalJobQueue(rt)
