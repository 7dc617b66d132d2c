"""Handoff summary coverage: the facts an agent needs are there, and none is invented
(every order id in the summary appears in what the shopper wrote)."""

from __future__ import annotations

import json
from typing import ClassVar

from evals.scorers.base import ScoreResult, contains, order_ids, verdict
from evals.transcript import Transcript


class HandoffSummaryScorer:
    name: ClassVar[str] = "handoff_summary"

    def score(self, transcript: Transcript) -> ScoreResult:
        required = transcript.expect.summary_includes
        handoff = transcript.handoff
        if handoff is None:
            if required:
                return verdict(self.name, 1, ["no handoff, so no summary to carry "
                                              + ", ".join(required)])
            return verdict(self.name, 0, [], "no handoff")
        failures: list[str] = []
        summary = handoff.summary
        text = json.dumps(summary, ensure_ascii=False)
        checked = 1 + len(required)
        if not summary or not str(summary.get("wants", "")).strip():
            failures.append("the summary does not say what the shopper wants")
        failures += [f"summary lacks {fact!r}" for fact in required if not contains(text, fact)]
        said = set().union(*(order_ids(t.shopper) for t in transcript.turns))
        invented = sorted(order_ids(text) - said)
        checked += 1
        if invented:
            failures.append(f"summary names order ids the shopper never gave: "
                            f"{', '.join(invented)}")
        return verdict(self.name, checked, failures)
