"""`tandem eval route`: the numbers on a small labelled file, the JSON shape, bad files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tandem.cli import app

# (text, truth): three escalations caught, one missed on purpose (a policy question
# labelled human), one false alarm on purpose (a legal threat labelled assistant), two
# routine turns left alone.
ROWS = [
    ("let me talk to a real person", "human"),
    ("I want to return these boots", "human"),
    ("this is so frustrating, nothing works", "human"),
    ("what is your return policy?", "human"),
    ("I'm going to sue you", "assistant"),
    ("hiking boots size 10", "assistant"),
    ("waterproof hiking jacket under $200, size M", "assistant"),
]


def _jsonl(path: Path) -> Path:
    path.write_text("".join(json.dumps({"text": t, "route": r}) + "\n" for t, r in ROWS))
    return path


def test_json_output_has_recall_precision_time_and_the_confusion_matrix(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "route", "--data", str(_jsonl(tmp_path / "m.jsonl")),
                                      "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 7
    assert report["recall"] == 0.75 and report["precision"] == 0.75
    assert report["confusion"] == {"tp": 3, "fn": 1, "fp": 1, "tn": 2}
    # times in milliseconds, per decision (their size is the bench's business, not a test's)
    assert 0 < report["p50_ms"] <= report["p95_ms"]
    assert report["classifier"] is True


def test_csv_with_a_header_prints_a_readable_report(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("route,text,source\n" + "".join(
        f'{r},"{t}",{"angry" if i == 2 else "shop"}\n' for i, (t, r) in enumerate(ROWS)))
    result = CliRunner().invoke(app, ["eval", "route", "--data", str(path)])
    assert result.exit_code == 0, result.output
    assert "escalation recall 0.750  precision 0.750" in result.output
    assert "truly human                 3                  1" in result.output
    assert "p95" in result.output and "ms" in result.output
    assert "angry        n=1" in result.output


def test_the_patterns_only_baseline_misses_what_the_classifier_catches(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "m.jsonl")
    result = CliRunner().invoke(app, ["eval", "route", "--data", str(path), "--json",
                                      "--patterns-only"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["confusion"]["tp"] == 2 and report["classifier"] is False


def test_bad_files_fail_with_the_line_and_the_reason(tmp_path: Path) -> None:
    cases = {
        "bad.jsonl": ('{"text": "hi", "route": "assistant"}\n\n{"text": "x", "route": "bot"}\n',
                      "line 3: 'route' is 'bot'"),
        "broken.jsonl": ('{"text": "hi", "route": "assistant"}\n{"text": \n',
                         "line 2: not valid JSON"),
        "nolabel.csv": ("text,label\nhi,assistant\n", "line 1: the CSV header lacks route"),
        "empty.csv": ("text,route\nhi,assistant\n,human\n", "line 3: 'text' is missing"),
        "nothing.jsonl": ("\n", "no labelled messages"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        result = CliRunner().invoke(app, ["eval", "route", "--data", str(path)])
        assert result.exit_code == 2, (name, result.output)
        assert message in result.output, (name, result.output)
    result = CliRunner().invoke(app, ["eval", "route", "--data", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "cannot read" in result.output
