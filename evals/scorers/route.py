"""Route and intent correctness: the router picked the expected intent, route and rule."""

from __future__ import annotations

from typing import ClassVar

from evals.scorers.base import ScoreResult, verdict
from evals.transcript import Transcript


class RouteScorer:
    name: ClassVar[str] = "route"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = 0
        fired = transcript.handoff.rule if transcript.handoff else None
        for n, turn in enumerate(transcript.turns, 1):
            want = turn.expect
            if want.intent is not None:
                checked += 1
                allowed = [want.intent] if isinstance(want.intent, str) else want.intent
                if turn.intent not in allowed:
                    failures.append(f"turn {n}: intent {turn.intent!r}, expected "
                                    f"{' or '.join(allowed)}")
            if want.route is not None:
                checked += 1
                if turn.route != want.route:
                    failures.append(f"turn {n}: route {turn.route!r}, expected {want.route}")
            if want.handoff is not None:
                checked += 1
                if turn.handoff != want.handoff:
                    failures.append(f"turn {n}: {'no ' if want.handoff else ''}handoff expected")
            if want.rule is not None:
                checked += 1
                if not turn.handoff or fired != want.rule:
                    failures.append(f"turn {n}: rule {want.rule!r} expected, got "
                                    f"{fired if turn.handoff else None!r}")
        case = transcript.expect
        handed_off = any(t.handoff for t in transcript.turns)
        if case.handoff is not None:
            checked += 1
            if handed_off != case.handoff:
                failures.append("a handoff was expected" if case.handoff
                                else f"no handoff expected, got one ({fired})")
        if case.rule is not None:
            checked += 1
            if fired != case.rule:
                failures.append(f"rule {case.rule!r} expected, got {fired!r}")
        return verdict(self.name, checked, failures)
