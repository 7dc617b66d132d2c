"""`tandem eval run | score | compare | gate`: eval suites, offline scoring and the CI gate.

Formats and workflow: evals/README.md.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from api.settings import get_settings

Provider = typer.Option(help="scripted (templates, deterministic), embedded, ollama or openai")


def _judge(provider: str | None, rubric: str | None):  # type: ignore[no-untyped-def]
    if provider is None:
        return None
    from agent.llm.factory import make_chat_model
    from evals.scorers.judge import JudgeScorer

    settings = get_settings().model_copy(update={"llm_provider": provider})
    return JudgeScorer(make_chat_model(settings.llm_config()), default_rubric=rubric,
                       timeout_s=settings.llm_timeout_s)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=code)


def run(suite: Annotated[Path, typer.Argument(help="suite YAML, e.g. evals/suites/starter.yaml")],
        provider: Annotated[str, Provider] = "scripted",
        prompts: Annotated[Path | None, typer.Option(help="prompt folder to use instead of "
                                                          "prompts/ (compare versions)")] = None,
        repeat: Annotated[int, typer.Option(min=1, help="runs per case: pass@1 and pass^k")] = 1,
        out: Annotated[Path | None, typer.Option(help="report folder (default var/evals/...)")]
        = None,
        cache: Annotated[bool, typer.Option(help="reuse cached model calls")] = True,
        timeout: Annotated[float | None, typer.Option(
            min=1, help="seconds per model call (default: TANDEM_LLM_TIMEOUT_S)")] = None,
        judge_provider: Annotated[str | None, typer.Option(help="add the LLM judge")] = None,
        rubric: Annotated[str | None, typer.Option(help="judge rubric for cases without one")]
        = None) -> None:
    """Run a suite through the real graph and record, score and report the transcripts."""
    from rich.progress import Progress

    from evals.fixtures import SuiteSkipped
    from evals.pipeline import run_and_score
    from evals.reports import print_summary
    from evals.runner import RunOptions
    from evals.suite import SuiteError, load_suite

    if prompts is not None and not prompts.is_dir():
        raise _fail(f"--prompts {prompts}: not a folder")
    try:
        cases = len(load_suite(suite).cases)
    except SuiteError as exc:
        raise _fail(str(exc)) from exc
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    state = get_settings().state_dir
    out = out or state / "evals" / f"{suite.stem}-{provider}-{stamp}"
    options = RunOptions(provider=provider, repeat=repeat, prompts_dir=prompts,
                         cache_dir=state / "eval-cache" if cache else None)
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{suite.stem} ({provider})", total=cases * repeat)
        try:
            settings = get_settings()
            if timeout is not None:
                settings = settings.model_copy(update={"llm_timeout_s": timeout})
            output = run_and_score(suite, settings, options, out_dir=out,
                                   judge=_judge(judge_provider, rubric),
                                   on_transcript=lambda _t: progress.advance(task))
        except SuiteSkipped as exc:
            typer.echo(f"skipped {suite}: {exc}")
            return
    print_summary(output.result)
    typer.echo(f"reports: {out}/ (transcripts.jsonl, results.json, junit.xml, report.html)")


def score(transcripts: Annotated[list[Path], typer.Argument(help="recorded transcripts (JSONL)")],
          suite: Annotated[Path | None, typer.Option(help="score against this suite's "
                                                          "current expectations")] = None,
          out: Annotated[Path | None, typer.Option(help="write reports to this folder")] = None,
          judge_provider: Annotated[str | None, typer.Option(help="add the LLM judge")] = None,
          rubric: Annotated[str | None, typer.Option(help="judge rubric")] = None) -> None:
    """Score recorded transcripts offline (no model needed, unless you add the judge)."""
    from evals.pipeline import attach_expectations, write_reports
    from evals.reports import print_summary
    from evals.scoring import score_all, summarise
    from evals.suite import SuiteError, load_suite
    from evals.transcript import TranscriptError, read_jsonl

    started = time.perf_counter()
    try:
        loaded = [t for path in transcripts for t in read_jsonl(path)]
        if suite is not None:
            loaded = attach_expectations(loaded, load_suite(suite))
    except (OSError, TranscriptError, SuiteError) as exc:
        raise _fail(str(exc)) from exc
    if not loaded:
        raise _fail("no transcripts to score")
    result = summarise(score_all(loaded, judge=_judge(judge_provider, rubric)), meta={
        "provider": loaded[0].provider, "model": loaded[0].model,
        "prompts": loaded[0].prompts,
        "timings": {"score_s": round(time.perf_counter() - started, 3)}})
    print_summary(result)
    if out is not None:
        write_reports(result, loaded, out)
        typer.echo(f"reports: {out}/")


def _results(path: Path):  # type: ignore[no-untyped-def]
    from evals.reports import read_json

    target = path / "results.json" if path.is_dir() else path
    try:
        return read_json(target)
    except (OSError, ValueError) as exc:
        raise _fail(f"{target}: not a results file: {exc}") from exc


def compare_runs(baseline: Annotated[Path, typer.Argument(help="results.json or run folder")],
                 candidate: Annotated[Path, typer.Argument(help="results.json or run folder")],
                 all_cases: Annotated[bool, typer.Option("--all", help="list unchanged cases")]
                 = False) -> None:
    """Per-case and per-scorer deltas between two runs, regressions first."""
    from rich.console import Console
    from rich.table import Table

    from evals.compare import compare

    diff = compare(_results(baseline), _results(candidate))
    console = Console()
    cases = Table(title=f"cases: {diff.suite_a} -> {diff.suite_b}")
    for column in ("case", "change", "pass A", "pass B", "score Δ"):
        cases.add_column(column)
    colours = {"regressed": "red", "improved": "green", "new": "cyan", "removed": "yellow"}
    for c in diff.cases:
        if c.change == "same" and not all_cases:
            continue
        fmt = "{:.0%}".format
        cases.add_row(c.case_id, f"[{colours.get(c.change, 'white')}]{c.change}[/]",
                      fmt(c.pass_a) if c.pass_a is not None else "-",
                      fmt(c.pass_b) if c.pass_b is not None else "-", f"{c.score_delta:+.2f}")
    console.print(cases)
    scorers = Table(title="scorers (pass rate)")
    for column in ("scorer", "A", "B", "Δ"):
        scorers.add_column(column)
    for s in diff.scorers:
        scorers.add_row(s.scorer, f"{s.rate_a:.1%}" if s.rate_a is not None else "-",
                        f"{s.rate_b:.1%}" if s.rate_b is not None else "-", f"{s.delta:+.1%}")
    console.print(scorers)
    console.print(f"pass@1 {diff.pass_at_1[0]:.1%} -> {diff.pass_at_1[1]:.1%}; "
                  f"pass^k {diff.pass_hat_k[0]:.1%} -> {diff.pass_hat_k[1]:.1%}; "
                  f"{len(diff.regressions)} regressions")


def gate(results: Annotated[list[Path] | None, typer.Argument(
            help="results to gate (default: run every suite in the thresholds file)")] = None,
         thresholds: Annotated[Path | None, typer.Option(help="thresholds YAML")] = None,
         update_baseline: Annotated[bool, typer.Option(
             help="store these results as the new baselines")] = False) -> None:
    """Exit non-zero when a suite is below its threshold or regresses against its baseline."""
    from evals.gate import THRESHOLDS_PATH, ThresholdError, gate_suites, load_thresholds
    from evals.reports import print_summary
    from evals.suite import SuiteError

    try:
        config = load_thresholds(thresholds or THRESHOLDS_PATH)
    except ThresholdError as exc:
        raise _fail(str(exc)) from exc
    given = {r.summary.suite: r for r in (_results(p) for p in results or [])}
    try:
        outcome = gate_suites(config, get_settings(), given, update_baseline=update_baseline)
    except SuiteError as exc:
        raise _fail(str(exc)) from exc
    for name, reason in outcome.skipped.items():
        typer.echo(f"skipped {name}: {reason}")
    for result in outcome.results.values():
        print_summary(result)
    if outcome.problems:
        for problem in outcome.problems:
            typer.echo(f"GATE FAILED: {problem}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"gate passed: {', '.join(outcome.results) or 'nothing to gate'}")
