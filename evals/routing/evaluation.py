"""Score a labelled file of messages against the escalation policy (`tandem eval route`).

The file is CSV with a header or JSON lines, with the fields `text` and `route` (`human` or
`assistant`) and optionally `source` (reported separately).  Each message is decided by
`EscalationPolicy.decide`, exactly as the router decides it, and timed.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.escalation import EscalationPolicy

ROUTES = ("human", "assistant")


class LabelledFileError(ValueError):
    """The labelled file cannot be read; the message names the line."""


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    route: str
    source: str = ""


def _row(values: dict[str, Any], where: str) -> LabelledMessage:
    text, route = values.get("text"), values.get("route")
    if not isinstance(text, str) or not text.strip():
        raise LabelledFileError(f"{where}: 'text' is missing or empty")
    if route not in ROUTES:
        raise LabelledFileError(f"{where}: 'route' is {route!r}; expected 'human' or 'assistant'")
    source = values.get("source")
    return LabelledMessage(text=text, route=route, source=str(source) if source else "")


def _jsonl(path: Path, lines: list[str]) -> Iterator[LabelledMessage]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelledFileError(f"{path} line {number}: not valid JSON: {exc.msg}") from exc
        if not isinstance(values, dict):
            raise LabelledFileError(f"{path} line {number}: expected a JSON object")
        yield _row(values, f"{path} line {number}")


def _csv(path: Path, lines: list[str]) -> Iterator[LabelledMessage]:
    reader = csv.DictReader(lines)
    missing = {"text", "route"} - set(reader.fieldnames or ())
    if missing:
        raise LabelledFileError(
            f"{path} line 1: the CSV header lacks {', '.join(sorted(missing))} "
            "(needs 'text' and 'route')")
    try:
        for values in reader:
            yield _row(values, f"{path} line {reader.line_num}")
    except csv.Error as exc:
        raise LabelledFileError(f"{path} line {reader.line_num}: bad CSV: {exc}") from exc


def read_labelled(path: Path) -> list[LabelledMessage]:
    """Read every message; JSON lines if the name ends in .jsonl/.json or the first
    non-blank character is `{`, CSV otherwise."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelledFileError(f"{path}: cannot read: {exc}") from exc
    lines = content.splitlines()
    is_json = path.suffix in (".jsonl", ".json") or content.lstrip().startswith("{")
    rows = list(_jsonl(path, lines) if is_json else _csv(path, lines))
    if not rows:
        raise LabelledFileError(f"{path}: no labelled messages")
    return rows


def scores(gold: list[bool], decided: list[bool]) -> dict[str, Any]:
    """Recall and precision of escalation (`human`) and the confusion matrix."""
    tp = sum(g and d for g, d in zip(gold, decided, strict=True))
    fp = sum(d and not g for g, d in zip(gold, decided, strict=True))
    fn = sum(g and not d for g, d in zip(gold, decided, strict=True))
    tn = len(gold) - tp - fp - fn
    recall = tp / (tp + fn) if tp + fn else None
    precision = tp / (tp + fp) if tp + fp else None
    return {"n": len(gold), "recall": _round(recall), "precision": _round(precision),
            "confusion": {"tp": tp, "fn": fn, "fp": fp, "tn": tn}}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def evaluate(policy: EscalationPolicy, rows: list[LabelledMessage]) -> dict[str, Any]:
    """Recall and precision of escalation, the confusion matrix, decision times, and the
    same per source and the rules that fired."""
    decided: list[bool] = []
    elapsed_ms: list[float] = []
    rules: Counter[str] = Counter()
    unsure = 0
    # Load the embedding model and the sentiment lexicon before timing: once per process,
    # not per decision.  The text is one no labelled file is likely to hold, so no timed
    # decision finds its vector cached.
    policy.decide("warm-up message for the timing of tandem eval route")
    for row in rows:
        started = time.perf_counter()
        verdict = policy.decide(row.text)
        elapsed_ms.append((time.perf_counter() - started) * 1000)
        decided.append(verdict.escalate)
        rules[verdict.rule or "none"] += 1
        unsure += verdict.unsure
    gold = [row.route == "human" for row in rows]
    report = scores(gold, decided)
    report |= {
        "p50_ms": round(float(np.percentile(elapsed_ms, 50)), 3),
        "p95_ms": round(float(np.percentile(elapsed_ms, 95)), 3),
        "unsure": unsure,
        "rules": dict(sorted(rules.items())),
        "classifier": policy.classifier is not None,
    }
    sources = sorted({row.source for row in rows if row.source})
    if sources:
        report["by_source"] = {
            source: scores([g for g, r in zip(gold, rows, strict=True) if r.source == source],
                            [d for d, r in zip(decided, rows, strict=True) if r.source == source])
            for source in sources
        }
    return report
