"""Tone: never blame the shopper, never hide behind "as an AI"; checked on every reply."""

from __future__ import annotations

import re
from typing import ClassVar

from evals.scorers.base import ScoreResult, verdict
from evals.transcript import Transcript

_BAD_TONE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AI disclaimer", re.compile(
        r"\bas an? (ai|a\.i\.|artificial intelligence|language model|large language model|llm)"
        r"\b|\bi'?m (just|only) an? (ai|bot|language model)\b", re.IGNORECASE)),
    ("blame", re.compile(
        r"\b(your (own )?fault|you should have|you (failed|forgot|neglected) to|"
        r"you didn'?t (read|listen|follow)|as i (already )?(said|told you)|calm down|"
        r"obviously you)\b", re.IGNORECASE)),
)


class ToneScorer:
    name: ClassVar[str] = "tone"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = 0
        for n, turn in enumerate(transcript.turns, 1):
            if not turn.reply:
                continue
            checked += 1
            for label, pattern in _BAD_TONE:
                if found := pattern.search(turn.reply):
                    failures.append(f"turn {n}: {label}: {found.group(0)!r}")
        return verdict(self.name, checked, failures)
