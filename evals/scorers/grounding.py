"""Grounding: every suggested item existed in the store and was in stock when offered."""

from __future__ import annotations

from typing import ClassVar

from evals.scorers.base import ScoreResult, verdict
from evals.transcript import Transcript


class GroundingScorer:
    name: ClassVar[str] = "grounding"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = unrecorded = 0
        for n, turn in enumerate(transcript.turns, 1):
            for s in turn.suggestions:
                if s.exists is None and s.stock_at_answer is None:
                    unrecorded += 1  # e.g. an export without a stock snapshot
                    continue
                checked += 1
                if s.exists is False:
                    failures.append(f"turn {n}: {s.name} ({s.variant_id}) is not in the store")
                elif s.stock_at_answer is not None and s.stock_at_answer <= 0:
                    failures.append(f"turn {n}: {s.name} ({s.variant_id}) offered with no stock")
                elif not s.in_stock:
                    failures.append(f"turn {n}: {s.name} offered while marked out of stock")
        note = f"{unrecorded} suggestions without a stock snapshot" if unrecorded else ""
        return verdict(self.name, checked, failures, note if not checked else "")
