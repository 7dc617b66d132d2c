"""Suite files: the published schemas are current, and a bad suite names its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.suite import SCHEMA_PATH, SuiteError, load_suite, suite_json_schema
from evals.write_schemas import TRANSCRIPT_SCHEMA_PATH, render, transcript_json_schema

SUITES = Path(__file__).resolve().parents[2] / "evals" / "suites"


def test_published_schemas_match_the_models() -> None:
    # Regenerate with `python -m evals.write_schemas` after changing the models.
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(suite_json_schema())
    assert TRANSCRIPT_SCHEMA_PATH.read_text(encoding="utf-8") == render(transcript_json_schema())


def test_starter_suite_is_valid_and_covers_every_escalation_rule() -> None:
    import yaml

    suite = load_suite(SUITES / "starter.yaml")
    assert len(suite.cases) >= 60
    policy = yaml.safe_load((SUITES.parents[1] / "policies" / "escalation.yaml").read_text())
    rules = {r["id"] for r in policy["rules"]}
    expected = {t.expect.rule for c in suite.cases for t in c.turns} | {
        c.expect.rule for c in suite.cases}
    assert rules <= expected, f"no case for {sorted(rules - expected)}"


def test_invalid_suite_fails_with_file_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ncases:\n  - id: one\n    turns:\n      - say: hi\n"
                    "        expect: {intent: discovery, min_suggestions: -1}\n")
    with pytest.raises(SuiteError) as error:
        load_suite(path)
    message = str(error.value)
    assert str(path) in message and "line 6" in message and "min_suggestions" in message


def test_unknown_field_and_broken_yaml_are_named(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("name: x\ncases:\n  - id: one\n    turns: [{say: hi}]\n    colour: red\n")
    with pytest.raises(SuiteError, match=r"line 5: .*colour"):
        load_suite(unknown)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncases: [\n")
    with pytest.raises(SuiteError, match="not valid YAML"):
        load_suite(broken)
    assert json.loads(SCHEMA_PATH.read_text())["$id"].endswith("eval-suite.schema.json")
