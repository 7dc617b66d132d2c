"""`tandem retrain`: rebuild the escalation classifier with the agents' verdicts; adopt it
only if no guarded figure gets worse (evals/routing/retrain.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.settings import get_settings


def retrain(
    data: Annotated[Path | None, typer.Option(help="The shipped data sets (default: "
                                                   "TANDEM_DATA_DIR)")] = None,
    tolerance: Annotated[float, typer.Option(min=0, max=0.1, help="How much lower a guarded "
                                             "figure may be and still adopt (default 0)")] = 0.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Retrain the escalation classifier with the agents' verdicts; adopt it if no worse.

    Candidate and current are scored on the same held-out rows (the shipped dev split and
    20% of the verdicts); the candidate is adopted only if no guarded figure is lower."""
    from agent.escalation import PolicyError, load_policy
    from api.db import engine_for, session_scope
    from api.runtime import with_retrained_classifier
    from evals.routing.retrain import retrain as run

    settings = get_settings()
    root = data or settings.data_dir
    if root is None or not (root / "bitext").is_dir():
        typer.echo(f"error: no data sets at {root}: pass --data or set TANDEM_DATA_DIR "
                   "(bitext/, goemotions/, clinc150/)", err=True)
        raise typer.Exit(code=2)
    try:
        policy = with_retrained_classifier(
            load_policy(settings.policies_dir / "escalation.yaml"), settings.triage_model_dir)
    except PolicyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    with session_scope(engine_for(settings.database_url)) as session:
        try:
            outcome = run(session, data_root=root, policy=policy,
                          target_dir=settings.triage_model_dir, tolerance=tolerance)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
    if json_output:
        typer.echo(json.dumps({"adopted": outcome.adopted, "reason": outcome.reason,
                               "figures": outcome.figures,
                               "verdicts_trained": outcome.verdicts_trained,
                               "verdicts_held_out": outcome.verdicts_held_out,
                               "model_dir": str(outcome.model_dir or "")}, sort_keys=True))
        return
    typer.echo(outcome.reason)
    typer.echo(f"verdicts: {outcome.verdicts_trained} trained on, {outcome.verdicts_held_out} "
               "held out for validation")
    for name, pair in outcome.figures.items():
        typer.echo(f"  {name:<24} current {pair['current']}  candidate {pair['candidate']}")
    if outcome.adopted:
        typer.echo(f"the new model is in {outcome.model_dir}; restart the server to use it")
