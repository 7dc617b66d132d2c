"""A self-contained HTML report: summary, score charts (inline SVG), per-case transcripts
and scorer results.  Everything from transcripts is escaped by Jinja2's autoescape."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from evals.scoring import RunResult
from evals.transcript import Transcript

TEMPLATES = Path(__file__).resolve().parent / "templates"
BINS = 10


def histogram(scores: Sequence[float], bins: int = BINS) -> list[dict[str, Any]]:
    """Counts of case scores per tenth (the last bin includes 1.0), for the SVG chart."""
    counts = [0] * bins
    for value in scores:
        counts[min(bins - 1, max(0, int(value * bins)))] += 1
    top = max(counts) or 1
    return [{"label": f"{i / bins:.1f}", "count": c, "height": round(100 * c / top, 1)}
            for i, c in enumerate(counts)]


def render_html(result: RunResult, transcripts: Sequence[Transcript]) -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html", "j2"], default=True))
    by_key = {(t.case_id, t.repeat): t for t in transcripts}
    cases = sorted(result.scores, key=lambda c: (c.passed, c.case_id, c.repeat))
    return env.get_template("report.html.j2").render(
        summary=result.summary, histogram=histogram([c.score for c in result.scores]),
        scorers=sorted(result.summary.scorer_pass_rates.items()),
        cases=[{"score": c, "transcript": by_key.get((c.case_id, c.repeat))} for c in cases])


def write_html(result: RunResult, transcripts: Sequence[Transcript], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result, transcripts), encoding="utf-8")
    return path
