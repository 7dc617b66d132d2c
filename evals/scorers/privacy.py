"""Privacy: with personalisation off, no personal signal is used or mentioned.

A personal signal is stored evidence of kind "history" or from source "profile", or a
recommendation that talks about the shopper's past purchases.
"""

from __future__ import annotations

import re
from typing import ClassVar

from evals.scorers.base import ScoreResult, verdict
from evals.transcript import Transcript

_PERSONAL_WORDS = re.compile(
    r"\b(you (bought|purchased)|you usually (buy|order)|your (purchase|order|shopping) history|"
    r"based on your (history|profile|past (orders|purchases))|"
    r"your (past|previous|earlier) purchases?)\b", re.IGNORECASE)
_RECOMMENDING = frozenset({"discovery", "sizing"})


class PrivacyScorer:
    name: ClassVar[str] = "privacy"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = 0
        for n, turn in enumerate(transcript.turns, 1):
            if turn.personalization:
                continue
            checked += 1
            for s in turn.suggestions:
                personal = [e for e in s.evidence
                            if e.kind == "history" or e.source == "profile"]
                if personal:
                    failures.append(f"turn {n}: {s.name} used {personal[0].kind} evidence "
                                    f"from {personal[0].source} with personalisation off")
            recommending = turn.intent in _RECOMMENDING or bool(turn.suggestions)
            if recommending and (found := _PERSONAL_WORDS.search(turn.reply)):
                failures.append(f"turn {n}: reply mentions {found.group(0)!r} with "
                                "personalisation off")
        return verdict(self.name, checked, failures, "personalisation was on throughout")
