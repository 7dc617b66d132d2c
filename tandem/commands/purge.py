"""`tandem purge`: delete conversations older than the retention period (run it daily)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

import typer

from api.settings import get_settings


def purge(
    older_than_days: Annotated[int | None, typer.Option(
        min=1, help="Idle days before a conversation is deleted (default: "
                    "TANDEM_RETENTION_DAYS)")] = None,
    dry_run: Annotated[bool, typer.Option(help="Report what would be deleted; delete nothing")]
        = False,
) -> None:
    """Delete conversations idle past the retention period and report what was deleted.

    Their messages, handoffs, consent events and graph checkpoints go with them, and so do
    checkpoints whose conversation is already gone."""
    from agent.privacy.redact import install_log_redaction

    install_log_redaction()
    settings = get_settings()
    days = older_than_days or settings.retention_days
    report = asyncio.run(_purge(settings.database_url, days, dry_run))
    typer.echo(report)


async def _purge(database_url: str, days: int, dry_run: bool) -> str:
    from api.checkpoints import open_checkpointer
    from api.db import engine_for, session_scope
    from api.services.erasure import (
        erase_conversations,
        forget_threads,
        orphan_thread_ids,
        stale_conversation_ids,
    )
    from domain.tables import utcnow

    cutoff = utcnow() - timedelta(days=days)
    engine = engine_for(database_url)
    async with open_checkpointer(database_url) as saver:
        with session_scope(engine) as session:
            ids = stale_conversation_ids(session, idle_since=cutoff)
        orphans = orphan_thread_ids(engine)
        if dry_run:
            return (f"dry run: {len(ids)} conversation(s) idle since before "
                    f"{cutoff:%Y-%m-%d %H:%M} UTC and {len(orphans)} checkpoint thread(s) of "
                    "conversations already gone would be deleted; nothing was deleted")
        # Checkpoints first: the rows are how they are found (api/services/erasure.py).
        threads = await forget_threads(saver, ids) + await forget_threads(saver, orphans)
        with session_scope(engine) as session:
            counts = erase_conversations(session, ids)
    rows = ", ".join(f"{table} {n}" for table, n in sorted(counts.items()) if n) or "none"
    return (f"purged {len(ids)} conversation(s) idle since before {cutoff:%Y-%m-%d %H:%M} UTC "
            f"(retention {days} days): rows deleted: {rows}; checkpoint threads: {threads} "
            f"({len(orphans)} of conversations already gone)")
