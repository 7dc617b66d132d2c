"""`make test` gates on the scripted-model suites: every suite in evals/thresholds.yaml
runs through the real graph with the scripted provider and must pass its gate."""

from __future__ import annotations

import os
from pathlib import Path

from api.settings import Settings
from evals.gate import EVALS_DIR, gate_suites, load_thresholds
from evals.html_report import render_html
from evals.pipeline import run_and_score
from evals.reports import write_junit
from evals.runner import RunOptions
from tests.conftest import make_settings
from tests.shared_data import data_dir_or_none


def _settings() -> Settings:
    return make_settings(data_dir=data_dir_or_none())


def test_scripted_suites_pass_the_gate() -> None:
    config = load_thresholds()
    scripted = config.model_copy(update={"suites": {
        k: v for k, v in config.suites.items() if v.provider == "scripted"}})
    outcome = gate_suites(scripted, _settings(), {})
    assert "starter" in outcome.results
    assert outcome.problems == [], "\n".join(outcome.problems)
    for name, reason in outcome.skipped.items():
        print(f"skipped {name}: {reason}")
    if os.environ.get("CI", "").lower() == "true":
        # CI has the external data: a suite that needs it must run there, not skip.
        assert outcome.skipped == {}


def test_reports_escape_transcripts(tmp_path: Path) -> None:
    suite = tmp_path / "xss.yaml"
    suite.write_text("name: xss\ncases:\n  - id: script\n    turns:\n"
                     "      - say: \"<script>alert(1)</script> hiking socks\"\n")
    output = run_and_score(suite, _settings(), RunOptions())
    page = render_html(output.result, output.transcripts)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    junit = write_junit(output.result, tmp_path / "junit.xml").read_text()
    assert 'name="script[0]"' in junit
    assert EVALS_DIR.joinpath("baselines", "starter.json").is_file()
