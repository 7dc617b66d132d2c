"""`tandem import`: a store from Tandem JSON, a Shopify product CSV or a tau-bench folder.

`tandem import fit-feedback FILE.csv` is handed to `tandem.commands.fit_feedback` (the sizing
work owns that format); this command only recognises the word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from api.settings import get_settings
from tandem.commands.fit_feedback import import_fit_feedback

FIT_FEEDBACK = "fit-feedback"
FormatOption = Literal["auto", "json", "shopify", "tau"]


def _fit_feedback(path: Path | None) -> None:
    if path is None:
        typer.echo(f"error: usage: tandem import {FIT_FEEDBACK} FILE.csv", err=True)
        raise typer.Exit(code=2)
    import_fit_feedback(path)


def import_command(
    target: Annotated[str, typer.Argument(
        metavar="PATH", help="A store file or folder; or the word fit-feedback, then a CSV")],
    file: Annotated[Path | None, typer.Argument(
        metavar="[FILE]", help="The fit-feedback CSV (only after fit-feedback)")] = None,
    fmt: Annotated[FormatOption, typer.Option(
        "--format", help="auto: a folder with products.json is tau-bench, .csv is Shopify, "
                         ".json is Tandem JSON")] = "auto",
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Validate and print the quality report; write nothing")] = False,
    location: Annotated[str | None, typer.Option(
        help="Location id that receives the imported stock (default: ONLINE, "
             "'Online warehouse', created when missing)")] = None,
    skip_inactive: Annotated[bool, typer.Option(
        "--skip-inactive", help="Shopify: leave draft, archived and unlisted products out "
                                "(by default they are imported as not for sale)")] = False,
) -> None:
    """Import a store: validated, with a data-quality report, in one transaction.

    The report is printed before anything is written; nothing half-written stays behind.
    Rows are merged by id into what the database already holds; a row that cannot be
    stored is skipped and reported with its line, and the rest of the file is imported."""
    if target == FIT_FEEDBACK:
        _fit_feedback(file)
        return
    if file is not None:
        typer.echo(f"error: unexpected argument {file}; give one PATH", err=True)
        raise typer.Exit(code=2)

    from api.db import engine_for
    from api.importers.loader import CannotImport, import_store
    from api.importers.records import MalformedFile

    settings = get_settings()
    try:
        outcome = import_store(engine_for(settings.database_url), Path(target), fmt=fmt,
                               dry_run=dry_run, location_id=location,
                               skip_inactive=skip_inactive,
                               on_report=lambda report: typer.echo(report.render()))
    except MalformedFile as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    except CannotImport as exc:
        typer.echo(f"error: not imported, nothing written: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    if outcome.written is None:
        typer.echo(f"Dry run: nothing written (read and checked in "
                   f"{outcome.read_seconds:.2f}s).")
        return
    typer.echo(outcome.written.render())
    typer.echo(f"Read and checked in {outcome.read_seconds:.2f}s, written in "
               f"{outcome.write_seconds:.2f}s, into {settings.database_url}.")
