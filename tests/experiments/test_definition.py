"""Experiment files are validated like the policies: a mistake names the field and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.experiments.definition import ExperimentError, load_definition, parse_definition

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "experiments" / "assistant-vs-control.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "experiment.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_loads() -> None:
    definition = load_definition(EXAMPLE)
    assert definition.name == "assistant-vs-control"
    assert definition.shows_assistant("assistant") and not definition.shows_assistant("control")
    assert definition.primary == "conversion" and "return_rate" in definition.guardrails


def test_the_issue_minimum_loads(tmp_path: Path) -> None:
    definition = load_definition(_write(tmp_path, """
name: assistant-vs-control
variants: {control: 0.5, assistant: 0.5}   # control: no assistant
primary: conversion
guardrails: [return_rate, csat]
"""))
    assert definition.treatments == ["assistant"] and definition.mde == 0.05


@pytest.mark.parametrize(("text", "reason"), [
    ("name: x\nvariants: {control: 0.6, assistant: 0.5}\nprimary: conversion\n",
     "variants: Value error, shares add up to 1.1"),
    ("name: x\nvariants: {control: 0.5, assistant: 0.5}\nprimary: happiness\n",
     "primary: Value error, unknown metric 'happiness'"),
    ("name: x\nvariants: {control: 0.5, assistant: 0.5}\nprimary: aov\n"
     "guardrails: [refunds]\n", "guardrails: Value error, unknown metric(s) refunds"),
    ("name: x\nvariants: {a: 0.5, b: 0.5}\nprimary: aov\n", "control: 'control' is not one"),
    ("name: Bad Name\nvariants: {control: 0.5, b: 0.5}\nprimary: aov\n", "name: String should"),
    ("name: x\nvariants: {control: 0.5, b: {share: 0.5, prompts_dir: /nonexistent}}\n"
     "primary: aov\n", "variants.b.prompts_dir: Value error, /nonexistent is not a prompts"),
    ("name: x\nvariants: [control]\nprimary: aov\n", "variants: Input should be a valid dict"),
    ("name: x\n  bad: [\n", "not valid YAML"),
])
def test_a_mistake_names_the_field_and_the_reason(tmp_path: Path, text: str,
                                                  reason: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ExperimentError) as caught:
        load_definition(path)
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)


def test_a_variant_with_a_broken_policy_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "escalation.yaml").write_text("version: 1\nrules: []\n", encoding="utf-8")
    with pytest.raises(ExperimentError, match=r"escalation\.yaml"):
        parse_definition({"name": "x", "primary": "aov", "variants": {
            "control": 0.5, "strict": {"share": 0.5, "policies_dir": str(tmp_path)}}})
