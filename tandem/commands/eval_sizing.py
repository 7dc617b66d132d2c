"""`tandem eval sizing`: the size advisor against the customer's-usual-size baseline
(the evaluation itself is `evals/sizing.py`)."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Annotated

import typer

from agent.commerce.fit_feedback import FitFileError, read_fit_csv
from evals.sizing import MovesEval, evaluate_moves, evaluate_sizing, split_by_time


def eval_sizing(
    feedback: Annotated[Path, typer.Option(help="Train fit feedback CSV (what the advisor "
                                                "may learn from)")],
    test: Annotated[Path, typer.Option(help="Test fit feedback CSV (records that fit are "
                                            "the ground truth)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    split_from: Annotated[Path | None, typer.Option(
        help="First write FEEDBACK and TEST from this file, split by time "
             "(earliest 80% train), e.g. ../shared/data/renttherunway/rtr_fit_dev.csv")] = None,
    moves: Annotated[bool, typer.Option(
        "--moves", help="Instead: after a customer said a size was small or large, does the "
                        "advised move point the way their next rental showed (against "
                        "'the same size again')")] = False,
) -> None:
    """Sizing accuracy of the advisor against the customer's-most-common-size baseline;
    with --moves, the direction of size moves advised from what customers said."""
    if split_from is not None:
        if not split_from.is_file():
            typer.echo(f"error: {split_from} not found", err=True)
            raise typer.Exit(code=2)
        n_train, n_test = split_by_time(split_from, feedback, test)
        if not as_json:
            typer.echo(f"split {split_from}: {n_train} train -> {feedback}, "
                       f"{n_test} test -> {test}")
    try:
        train, held_out = read_fit_csv(feedback), read_fit_csv(test)
    except (FitFileError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if moves:
        _print_moves(evaluate_moves(train, held_out), as_json=as_json)
        return
    result = evaluate_sizing(train, held_out)
    if as_json:
        typer.echo(json.dumps(asdict(result)))
        return
    typer.echo(f"test records that fit: {result.n}")
    typer.echo(f"advisor accuracy:  {result.advisor_accuracy:.1%}")
    typer.echo(f"baseline accuracy: {result.baseline_accuracy:.1%} "
               "(customer's most common size in train)")
    typer.echo(f"with train history ({result.n_with_history}): advisor "
               f"{result.advisor_accuracy_with_history:.1%}, baseline "
               f"{result.baseline_accuracy_with_history:.1%}")


def _print_moves(result: MovesEval, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(asdict(result)))
        return
    typer.echo("moves pointing the right way (advisor / same size again / one step):")
    for field in fields(result):
        name, score = field.name, getattr(result, field.name)
        typer.echo(f"  {name.replace('_', ' '):28s} n={score.n:5d}  {score.advisor:.1%} / "
                   f"{score.same_size_again:.1%} / {score.one_step:.1%}")
