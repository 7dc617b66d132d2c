"""`tandem import fit-feedback FILE.csv`: load fit feedback from returns and reviews.

The whole file is validated before anything is written (a bad row stops the import with its
line and reason), then every record is inserted in one transaction.  Records are appended:
the same customer may rent the same item twice, so importing a file twice counts it twice.
The CSV format is documented in `agent.commerce.fit_feedback`.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import insert

from agent.commerce.fit_feedback import FitFileError, iter_fit_csv
from api.db import engine_for, session_scope
from api.settings import get_settings
from domain.tables import FitFeedback, utcnow


def _when(text: str, line: int, now: datetime) -> datetime:
    if not text:
        return now
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise FitFileError(f"line {line}: date {text!r} is not an ISO date") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _rows(path: Path) -> list[dict[str, Any]]:
    now = utcnow()
    return [{"customer_id": r.customer_id, "item_id": r.item_id, "size": r.size, "fit": r.fit,
             "height_in": r.height_in, "weight_lbs": r.weight_lbs, "bust_in": r.bust_in,
             "created_at": _when(date, line, now)}
            for line, (r, date) in enumerate(iter_fit_csv(path), start=2)]


def import_fit_feedback(path: Path) -> None:
    """Validate `path`, then insert its records into the configured database; prints counts.
    Exits with code 2 (nothing written) on a missing or malformed file."""
    if not path.is_file():
        typer.echo(f"error: {path} not found", err=True)
        raise typer.Exit(code=2)
    try:
        rows = _rows(path)
    except (FitFileError, UnicodeDecodeError) as exc:
        typer.echo(f"error: {path}: {exc}; nothing was imported", err=True)
        raise typer.Exit(code=2) from exc
    settings = get_settings()
    if rows:
        with session_scope(engine_for(settings.database_url)) as session:
            session.execute(insert(FitFeedback), rows)
    fits = Counter(row["fit"] for row in rows)
    typer.echo(f"imported {len(rows)} fit feedback records "
               f"({len({r['customer_id'] for r in rows})} customers, "
               f"{len({r['item_id'] for r in rows})} items; "
               f"small {fits['small']}, fit {fits['fit']}, large {fits['large']}) "
               f"into {settings.database_url}")
