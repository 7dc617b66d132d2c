"""`tandem experiments start|stop|list|report`: experiments against a control."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.settings import get_settings


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def start(file: Annotated[Path, typer.Argument(help="The experiment file (YAML)")]) -> None:
    """Start the experiment a file describes (validated first; README, "Experiments")."""
    from api.db import engine_for, session_scope
    from api.experiments import service
    from api.experiments.definition import ExperimentError, load_definition

    try:
        definition = load_definition(file)
    except ExperimentError as exc:
        raise _fail(str(exc)) from exc
    with session_scope(engine_for(get_settings().database_url)) as session:
        try:
            experiment = service.start(session, definition, source=str(file))
        except service.ExperimentConflict as exc:
            raise _fail(str(exc)) from exc
        shares = ", ".join(f"{k} {v.share:.0%}" for k, v in definition.variants.items())
        typer.echo(f"started {experiment.name}: {shares}; primary {definition.primary}; "
                   f"guardrails {', '.join(definition.guardrails) or 'none'}")


def stop(name: Annotated[str, typer.Argument(help="The experiment's name")]) -> None:
    """Stop a running experiment: nobody more is assigned; the report stays."""
    from api.db import engine_for, session_scope
    from api.experiments import service

    with session_scope(engine_for(get_settings().database_url)) as session:
        try:
            experiment = service.stop(session, name)
        except (service.ExperimentNotFound, service.ExperimentConflict) as exc:
            raise _fail(str(exc)) from exc
        typer.echo(f"stopped {experiment.name} at {experiment.stopped_at:%Y-%m-%d %H:%M} UTC")


def list_experiments() -> None:
    """Every experiment, newest first, with its status."""
    from api.db import engine_for, session_scope
    from api.experiments import service

    with session_scope(engine_for(get_settings().database_url)) as session:
        for e in service.all_experiments(session):
            typer.echo(f"{e.name:<32} {e.status:<8} started {e.started_at:%Y-%m-%d %H:%M} UTC"
                       f"  ({e.source})")


def report(
    name: Annotated[str, typer.Argument(help="The experiment's name")],
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """The report: SRM, then per metric lift, 95% interval, p, verdict, sample needed.

    Fixed horizon: no verdict before the experiment has run its horizon_days."""
    from api.db import engine_for, session_scope
    from api.experiments import service
    from api.experiments.report import build_report
    from api.experiments.text_report import render

    settings = get_settings()
    with session_scope(engine_for(settings.database_url)) as session:
        try:
            experiment = service.get(session, name)
        except service.ExperimentNotFound as exc:
            raise _fail(str(exc)) from exc
        result = build_report(session, experiment,
                              cycle_days=settings.experiment_purchase_cycle_days)
    if json_output:
        result.pop("charts")
        typer.echo(json.dumps(result, sort_keys=True, default=str))
    else:
        typer.echo(render(result))
