"""Required and forbidden phrases (and regexes) in the assistant's replies."""

from __future__ import annotations

import re
from typing import ClassVar

from evals.scorers.base import ScoreResult, contains, verdict
from evals.transcript import Transcript


class PhraseScorer:
    name: ClassVar[str] = "phrases"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = 0
        for n, turn in enumerate(transcript.turns, 1):
            want, reply = turn.expect, turn.reply
            for phrase in want.must_include:
                checked += 1
                if not contains(reply, phrase):
                    failures.append(f"turn {n}: missing {phrase!r}")
            for phrase in [*want.must_not_include, *transcript.expect.must_not_include]:
                checked += 1
                if contains(reply, phrase):
                    failures.append(f"turn {n}: says {phrase!r}")
            for pattern in want.must_match:
                checked += 1
                if not re.search(pattern, reply, re.IGNORECASE):
                    failures.append(f"turn {n}: does not match /{pattern}/")
            for pattern in want.must_not_match:
                checked += 1
                if found := re.search(pattern, reply, re.IGNORECASE):
                    failures.append(f"turn {n}: says {found.group(0)!r}")
        return verdict(self.name, checked, failures)
