"""The asked-for variant first, or an honest no: right product first, the exact variant when
it is in stock, and when it is not (no such variant, or not sellable) a reply that says so
in its first sentence and offers no card that is it."""

from __future__ import annotations

import re
from typing import ClassVar

from evals.scorers.base import ScoreResult, verdict
from evals.transcript import Transcript

# How a reply says what was asked for is not there, in the languages the assistant writes.
HONEST_NO = re.compile(
    r"\b(we don't have|we do not have|don't have|is sold out|are sold out|sold out|"
    r"not available|isn't available|out of stock|doesn't come|does not come|no tenemos|"
    r"agotad[oa]|haben .{0,40}nicht|ausverkauft|nous n'avons pas|épuisée?)\b", re.IGNORECASE)
_FIRST_SENTENCE = re.compile(r"^.*?(?:[.!?](?=\s)|$)", re.DOTALL)


class VariantScorer:
    name: ClassVar[str] = "variant"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = 0
        for n, turn in enumerate(transcript.turns, 1):
            want, cards = turn.expect, turn.suggestions
            first = cards[0] if cards else None
            if want.first_product is not None:
                checked += 1
                if first is None or want.first_product not in (first.name, first.product_id):
                    failures.append(f"turn {n}: first card {first.name if first else None!r}, "
                                    f"wanted {want.first_product!r}")
            if want.exact_variant is not None:
                checked += 1
                if first is None or first.variant_id != want.exact_variant:
                    failures.append(f"turn {n}: first card {first.variant_id if first else None}"
                                    f", wanted the variant asked for {want.exact_variant}")
            if want.honest_no:
                checked += 1
                opening = _FIRST_SENTENCE.match(turn.reply.strip())
                if not opening or not HONEST_NO.search(opening.group(0)):
                    failures.append(f"turn {n}: does not say first that it is not there: "
                                    f"{turn.reply[:80]!r}")
            if want.absent_variant is not None:
                checked += 1
                if any(c.variant_id == want.absent_variant for c in cards):
                    failures.append(f"turn {n}: offers {want.absent_variant}, which is not "
                                    f"sellable")
        return verdict(self.name, checked, failures)
