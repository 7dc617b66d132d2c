"""The steps the CLI, the gate and the tests share: run a suite and write its reports,
score recorded transcripts (optionally re-attaching a suite's expectations)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from api.settings import Settings
from evals.html_report import write_html
from evals.reports import write_json, write_junit
from evals.runner import RunOptions, run_suite
from evals.scorers.judge import JudgeScorer
from evals.scoring import RunResult, score_all, summarise
from evals.suite import Suite, load_suite
from evals.transcript import Transcript, write_jsonl


@dataclass(frozen=True)
class RunOutput:
    result: RunResult
    transcripts: list[Transcript]
    out_dir: Path | None


def attach_expectations(transcripts: Sequence[Transcript], suite: Suite) -> list[Transcript]:
    """Score old transcripts against the suite's current expectations (matched by case id
    and turn position); transcripts of cases the suite lacks keep their own."""
    cases = {c.id: c for c in suite.cases}
    updated = []
    for transcript in transcripts:
        case = cases.get(transcript.case_id)
        if case is not None:
            transcript = transcript.model_copy(deep=True)
            transcript.expect = case.expect
            transcript.known_failure, transcript.tags = case.known_failure, case.tags
            for turn, spec in zip(transcript.turns, case.turns, strict=False):
                turn.expect = spec.expect
        updated.append(transcript)
    return updated


def write_reports(result: RunResult, transcripts: Sequence[Transcript], out_dir: Path) -> None:
    write_jsonl(out_dir / "transcripts.jsonl", transcripts)
    write_json(result, out_dir / "results.json")
    write_junit(result, out_dir / "junit.xml")
    write_html(result, transcripts, out_dir / "report.html")


def run_and_score(suite_path: Path, settings: Settings, options: RunOptions, *,
                  out_dir: Path | None = None, judge: JudgeScorer | None = None,
                  on_transcript: Callable[[Transcript], None] | None = None) -> RunOutput:
    """Run the suite (raises `SuiteSkipped` when it cannot run here), score, write reports."""
    suite = load_suite(suite_path)
    started = time.perf_counter()
    transcripts = asyncio.run(run_suite(suite, settings, options, on_transcript))
    ran = time.perf_counter() - started
    scored_at = time.perf_counter()
    scores = score_all(transcripts, judge=judge)
    first = transcripts[0] if transcripts else None
    result = summarise(scores, suite=suite.name, meta={
        "provider": first.provider if first else options.provider,
        "model": first.model if first else None, "prompts": first.prompts if first else None,
        "timings": {"run_s": round(ran, 3),
                    "score_s": round(time.perf_counter() - scored_at, 3)}})
    model_turns = [t for tr in transcripts for t in tr.turns if t.reply_checked]
    result.summary.model_replies = {
        "turns": len(model_turns), "replaced": sum(t.reply_replaced for t in model_turns)}
    if out_dir is not None:
        write_reports(result, transcripts, out_dir)
    return RunOutput(result=result, transcripts=transcripts, out_dir=out_dir)
