"""Constraint adherence: suggestions honour the size, colour and budget the shopper set,
and the number of suggestions is within what the case expects."""

from __future__ import annotations

from typing import ClassVar

from evals.expectations import Constraints
from evals.scorers.base import ScoreResult, verdict
from evals.transcript import SuggestionRecord, Transcript

_COLOUR_SAME = {"gray": "grey"}


def _size_ok(want: str, got: str | None) -> bool:
    if got is None:
        return False
    try:
        return float(want) == float(got)
    except ValueError:
        return want.strip().casefold() == got.strip().casefold()


def _colour_ok(want: str, got: str | None) -> bool:
    if got is None:
        return False
    want = _COLOUR_SAME.get(want.casefold(), want.casefold())
    words = {_COLOUR_SAME.get(w, w) for w in got.casefold().replace("/", " ").split()}
    return want in words


def _breaches(s: SuggestionRecord, c: Constraints) -> list[str]:
    found = []
    if c.size is not None and not _size_ok(c.size, s.size):
        found.append(f"size {s.size} (wanted {c.size})")
    if c.color is not None and not _colour_ok(c.color, s.color):
        found.append(f"colour {s.color} (wanted {c.color})")
    if c.max_price is not None and (s.price is None or s.price > c.max_price):
        found.append(f"price {s.price} over {c.max_price:g}")
    if c.min_price is not None and (s.price is None or s.price < c.min_price):
        found.append(f"price {s.price} under {c.min_price:g}")
    return found


class ConstraintScorer:
    name: ClassVar[str] = "constraints"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = 0
        for n, turn in enumerate(transcript.turns, 1):
            want = turn.expect
            count = len(turn.suggestions)
            if want.min_suggestions is not None:
                checked += 1
                if count < want.min_suggestions:
                    failures.append(f"turn {n}: {count} suggestions, wanted at least "
                                    f"{want.min_suggestions}")
            if want.max_suggestions is not None:
                checked += 1
                if count > want.max_suggestions:
                    failures.append(f"turn {n}: {count} suggestions, wanted at most "
                                    f"{want.max_suggestions}")
            if want.constraints is None:
                continue
            for s in turn.suggestions:
                checked += 1
                if breaches := _breaches(s, want.constraints):
                    failures.append(f"turn {n}: {s.name}: {', '.join(breaches)}")
        return verdict(self.name, checked, failures)
