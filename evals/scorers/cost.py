"""Latency and token cost per turn, against the suite's (or case's) budgets."""

from __future__ import annotations

from typing import ClassVar

from evals.scorers.base import ScoreResult, verdict
from evals.transcript import Transcript


class CostScorer:
    name: ClassVar[str] = "latency_cost"

    def score(self, transcript: Transcript) -> ScoreResult:
        max_s = transcript.expect.max_turn_seconds
        max_tokens = transcript.expect.max_tokens_per_turn
        failures: list[str] = []
        checked = 0
        slowest = max((t.seconds or 0.0 for t in transcript.turns), default=0.0)
        biggest = max((t.input_tokens + t.output_tokens for t in transcript.turns), default=0)
        for n, turn in enumerate(transcript.turns, 1):
            if max_s is not None and turn.seconds is not None:
                checked += 1
                if turn.seconds > max_s:
                    failures.append(f"turn {n}: {turn.seconds:.2f}s over {max_s:g}s")
            if max_tokens is not None:
                checked += 1
                used = turn.input_tokens + turn.output_tokens
                if used > max_tokens:
                    failures.append(f"turn {n}: {used} tokens over {max_tokens}")
        note = f"slowest turn {slowest:.2f}s, most tokens {biggest}"
        result = verdict(self.name, checked, failures, note if not checked else "")
        if result.outcome == "pass":
            result.detail = note
        return result
