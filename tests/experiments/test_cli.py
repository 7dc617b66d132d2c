"""`tandem experiments start|stop|list|report` from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.settings import get_settings
from tandem.cli import app
from tests.experiments.factories import unique


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TANDEM_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_start_report_and_stop_from_the_command_line(cli_db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    name = unique("cli")
    file = tmp_path / "exp.yaml"
    file.write_text(f"name: {name}\nvariants: {{control: 0.5, assistant: 0.5}}\n"
                    "primary: conversion\nguardrails: [return_rate, csat]\n", encoding="utf-8")
    started = runner.invoke(app, ["experiments", "start", str(file)])
    assert started.exit_code == 0, started.output
    assert f"started {name}: control 50%, assistant 50%" in started.output
    again = runner.invoke(app, ["experiments", "start", str(file)])
    assert again.exit_code == 2 and "cannot be edited" in again.output

    report = runner.invoke(app, ["experiments", "report", name, "--json"])
    assert report.exit_code == 0, report.output
    data = json.loads(report.output)
    assert data["srm_p"] is None and data["peeking"] == "fixed horizon"
    assert set(data["metrics"]["conversion"]) >= {"control", "assistant", "lift", "ci95",
                                                   "p_value"}
    text = runner.invoke(app, ["experiments", "report", name])
    assert "Has not run a full purchase cycle" in text.output
    assert f"{name}" in runner.invoke(app, ["experiments", "list"]).output

    assert runner.invoke(app, ["experiments", "stop", name]).exit_code == 0
    stopped = runner.invoke(app, ["experiments", "stop", name])
    assert stopped.exit_code == 2 and "already stopped" in stopped.output


def test_an_invalid_file_names_the_field(cli_db: str, tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("name: x\nvariants: {control: 0.7, assistant: 0.5}\nprimary: conversion\n",
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["experiments", "start", str(file)])
    assert result.exit_code == 2
    assert "variants: Value error, shares add up to 1.2" in result.output
