"""What every scorer returns, and the small helpers they share."""

from __future__ import annotations

import re
from typing import ClassVar, Literal, Protocol

from pydantic import BaseModel

from evals.transcript import Transcript

Outcome = Literal["pass", "fail", "skip"]
ORDER_ID = re.compile(r"#?\b([A-Z]\d{5,8})\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
POSTCODE = re.compile(r"\b\d{5}\b")


class ScoreResult(BaseModel):
    scorer: str
    outcome: Outcome
    score: float | None = None
    """Share of this scorer's checks that passed (None when nothing applied)."""
    detail: str = ""


class Scorer(Protocol):
    name: ClassVar[str]

    def score(self, transcript: Transcript) -> ScoreResult:
        """Pass, fail or skip (nothing in the transcript for this scorer to check)."""
        ...


def verdict(name: str, checked: int, failures: list[str], note: str = "") -> ScoreResult:
    """A result from a count of checks and the failures among them."""
    if checked == 0:
        return ScoreResult(scorer=name, outcome="skip", detail=note or "nothing to check")
    score = max(0.0, 1.0 - len(failures) / checked)
    if failures:
        shown = "; ".join(failures[:5]) + (f"; and {len(failures) - 5} more"
                                           if len(failures) > 5 else "")
        return ScoreResult(scorer=name, outcome="fail", score=score, detail=shown)
    return ScoreResult(scorer=name, outcome="pass", score=score,
                       detail=note or f"{checked} checks")


def order_ids(text: str) -> set[str]:
    """Order ids written in any of the ways shoppers and replies write them ("#R10508")."""
    return {f"#{m.upper()}" for m in ORDER_ID.findall(text)}


def contains(text: str, phrase: str) -> bool:
    return phrase.casefold() in text.casefold()
