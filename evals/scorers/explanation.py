"""Explanation fidelity: each "because" states its evidence and claims nothing else."""

from __future__ import annotations

import re
from typing import ClassVar

from evals.scorers.base import ScoreResult, contains, verdict
from evals.transcript import SuggestionRecord, Transcript

# What a "because" can claim, and the evidence kind that must back each claim.
_CLAIMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("size", re.compile(r"\bsize\s+\w", re.IGNORECASE)),
    ("budget", re.compile(r"\$\s?\d", re.IGNORECASE)),
    ("history", re.compile(r"\b(you (bought|ordered|purchased|usually buy)|last time|"
                           r"your (past|previous|earlier) (order|purchase)s?|"
                           r"(your|purchase) history)\b", re.IGNORECASE)),
    ("stock", re.compile(r"\b(in stock|left at|delivered (tomorrow|in))\b", re.IGNORECASE)),
)


def _problems(s: SuggestionRecord) -> list[str]:
    if not s.evidence:
        return ["no stored evidence"]
    if not s.because.strip():
        return ["no explanation"]
    found = [f"does not state its {e.kind} evidence {e.detail!r}"
             for e in s.evidence if e.detail and not contains(s.because, e.detail)]
    # A claim inside a stated evidence detail is that evidence; look for claims elsewhere.
    rest = s.because
    for e in sorted(s.evidence, key=lambda e: -len(e.detail)):  # longest first: nested
        if e.detail:
            rest = re.sub(re.escape(e.detail), " ", rest, flags=re.IGNORECASE)
    kinds = {e.kind for e in s.evidence}
    found += [f"claims {kind} without {kind} evidence"
              for kind, pattern in _CLAIMS if pattern.search(rest) and kind not in kinds]
    return found


class ExplanationScorer:
    name: ClassVar[str] = "explanation"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = 0
        for n, turn in enumerate(transcript.turns, 1):
            for s in turn.suggestions:
                checked += 1
                failures += [f"turn {n}: {s.name}: {p}" for p in _problems(s)]
        return verdict(self.name, checked, failures)
