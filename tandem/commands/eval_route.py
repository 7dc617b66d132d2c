"""`tandem eval route`: recall and precision of escalation on a labelled file of messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from api.settings import get_settings


def eval_route(
    data: Annotated[Path, typer.Option(help="CSV with a header, or JSON lines, with the "
                                            "fields text and route (human | assistant)")],
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    patterns_only: Annotated[bool, typer.Option(
        help="Baseline: the policy's patterns without the classifier")] = False,
) -> None:
    """Score the escalation decision (policy rules + classifier, no LLM) on labelled messages."""
    from agent.escalation import PolicyError, load_policy
    from evals.routing.evaluation import LabelledFileError, evaluate, read_labelled

    try:
        policy = load_policy(get_settings().policies_dir / "escalation.yaml")
        rows = read_labelled(data)
    except (PolicyError, LabelledFileError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    report = evaluate(policy.patterns_only() if patterns_only else policy, rows)
    if json_output:
        typer.echo(json.dumps(report, sort_keys=True))
    else:
        typer.echo(_render(report, data))


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _render(report: dict[str, Any], data: Path) -> str:
    c = report["confusion"]
    lines = [
        f"{report['n']} messages from {data} "
        f"({'rules + classifier' if report['classifier'] else 'rules only'})",
        f"escalation recall {_fmt(report['recall'])}  precision {_fmt(report['precision'])}",
        "",
        "                  decided human  decided assistant",
        f"  truly human     {c['tp']:>13}  {c['fn']:>17}",
        f"  truly assistant {c['fp']:>13}  {c['tn']:>17}",
        "",
        f"decision time p50 {report['p50_ms']:.3f} ms, p95 {report['p95_ms']:.3f} ms (no LLM)",
        f"unsure (near a classifier threshold): {report['unsure']}",
    ]
    for source, part in report.get("by_source", {}).items():
        lines.append(f"  {source:<12} n={part['n']:<6} recall {_fmt(part['recall'])}  "
                     f"precision {_fmt(part['precision'])}  {part['confusion']}")
    return "\n".join(lines)
