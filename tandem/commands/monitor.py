"""`tandem monitor`: the last day against the previous weeks; what moved, to the log and
to a webhook (TANDEM_MONITOR_WEBHOOK_URL)."""

from __future__ import annotations

import json
import logging
from typing import Annotated

import typer

from api.settings import get_settings

log = logging.getLogger("tandem.monitor")


def monitor(
    weeks: Annotated[int, typer.Option(min=1, max=26, help="Weeks of baseline before the "
                                                           "last day")] = 4,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    no_scores: Annotated[bool, typer.Option(help="Skip scoring a sample of transcripts")]
        = False,
) -> None:
    """The last day against the previous weeks; what moved goes to the log and webhook.

    Intent mix, handoff, fallback, busy and withdrawal rates, and eval scores on a sample
    of transcripts. Exit code 1 when something moved (for cron), 2 if the webhook failed."""
    import httpx

    from api.db import engine_for, session_scope
    from api.observability.monitor import compare, render
    from domain.tables import utcnow
    from evals.production import score_sample
    from tandem.logs import configure_logging

    configure_logging(verbose=False)
    settings = get_settings()
    with session_scope(engine_for(settings.database_url)) as session:
        report = compare(session, now=utcnow(), weeks=weeks,
                         score_sample=None if no_scores else score_sample)
    body = report.as_dict()
    typer.echo(json.dumps(body, sort_keys=True) if json_output else render(report))
    for figure in report.moved:
        log.warning("monitor: %s moved: %s", figure.name, figure.detail)
    if report.moved and settings.monitor_webhook_url:
        try:
            httpx.post(settings.monitor_webhook_url, json=body, timeout=10).raise_for_status()
        except httpx.HTTPError as exc:
            log.error("monitor: the webhook failed: %s", exc)
            raise typer.Exit(code=2) from exc
    if report.moved:
        raise typer.Exit(code=1)
