"""Run reports: results JSON (also the baseline format), JUnit XML for CI, terminal table."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table

from evals.scoring import RunResult


def write_json(result: RunResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result.model_dump_json(indent=1), encoding="utf-8")
    return path


def read_json(path: Path) -> RunResult:
    return RunResult.model_validate(json.loads(path.read_text(encoding="utf-8")))


def write_junit(result: RunResult, path: Path) -> Path:
    """One <testcase> per case and repeat; a known failure is reported as skipped."""
    s = result.summary
    failures = sum(not c.passed and not c.known_failure for c in result.scores)
    skipped = sum(bool(c.known_failure) and not c.passed for c in result.scores)
    suite = ET.Element("testsuite", name=f"eval.{s.suite}", tests=str(len(result.scores)),
                       failures=str(failures), skipped=str(skipped), errors="0",
                       time=f"{s.timings.get('run_s', 0.0):.3f}")
    for case in result.scores:
        element = ET.SubElement(suite, "testcase", classname=f"eval.{s.suite}",
                                name=f"{case.case_id}[{case.repeat}]")
        failed = [r for r in case.results if r.outcome == "fail"]
        if failed and case.known_failure:
            ET.SubElement(element, "skipped", message=f"known failure: {case.known_failure}")
        elif failed:
            node = ET.SubElement(element, "failure",
                                 message=", ".join(r.scorer for r in failed))
            node.text = "\n".join(f"{r.scorer}: {r.detail}" for r in failed)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def print_summary(result: RunResult, console: Console | None = None,
                  show_passing: bool = False) -> None:
    console = console or Console()
    s = result.summary
    table = Table(title=f"eval {s.suite} ({s.provider or 'recorded'}, {s.repeats} repeat"
                        f"{'s' if s.repeats != 1 else ''})")
    table.add_column("case")
    table.add_column("pass", justify="right")
    table.add_column("score", justify="right")
    table.add_column("failed scorers / note")
    failing = {c.case_id: c for c in result.scores if not c.passed}
    for case in result.per_case:
        if case.passes == case.repeats and not show_passing and not case.known_failure:
            continue
        worst = failing.get(case.case_id)
        note = ", ".join(worst.failed_scorers()) if worst else ""
        if case.known_failure:
            note = f"[yellow]known failure[/]: {case.known_failure}" + (
                f" ({note})" if note else " [green](now passes)[/]")
        colour = "green" if case.passes == case.repeats else "red"
        table.add_row(case.case_id, f"[{colour}]{case.passes}/{case.repeats}[/]",
                      f"{case.mean_score:.2f}", note)
    if table.row_count:
        console.print(table)
    rates = ", ".join(f"{k} {v:.0%}" for k, v in s.scorer_pass_rates.items())
    console.print(f"[bold]{s.suite}[/]: {s.cases} cases, pass@1 {s.pass_at_1:.1%}, "
                  f"pass^{s.repeats} {s.pass_hat_k:.1%}, expected cases {s.pass_rate_expected:.1%}"
                  f"; known failures {len(s.known_failures)}")
    console.print(f"scorers: {rates}")
    if s.model_replies.get("turns"):
        console.print(f"replies phrased by the model: {s.model_replies['turns']}, withdrawn "
                      f"by the fact check: {s.model_replies['replaced']}")
    if s.timings:
        console.print("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in s.timings.items()))
