"""No false claim: every size, colour, option value, stock, count, delivery and measure claim
of a reply holds for the cards of its turn (agent/claims.py, the same extraction the reply
check uses).  What the shopper asked for may be repeated where the reply says it is not
there.  Checked on turns that show cards or answer about a product; order and sizing
replies rest on facts a transcript does not record and are scored elsewhere."""

from __future__ import annotations

from typing import ClassVar

from agent.claims import TurnFacts, unsupported_claims
from agent.commerce.options import OptionVocabulary
from agent.i18n.language import detect
from evals.scorers.base import ScoreResult, verdict
from evals.transcript import Transcript

CHECKED_INTENTS = frozenset({"discovery", "product_question"})


def _vocabulary(transcript: Transcript) -> OptionVocabulary:
    options = transcript.store_options or {}
    if not options:  # an export without the store's options: the cards' own
        for turn in transcript.turns:
            for card in turn.suggestions:
                for name, value in (getattr(card, "options", None) or {}).items():
                    options.setdefault(str(name), []).append(str(value))
    return OptionVocabulary.build(
        [("store", {name: value}) for name, values in options.items() for value in values])


class ClaimScorer:
    name: ClassVar[str] = "claims"

    def score(self, transcript: Transcript) -> ScoreResult:
        vocabulary = _vocabulary(transcript)
        failures: list[str] = []
        checked = 0
        language = "en"
        said: list[str] = []
        for n, turn in enumerate(transcript.turns, 1):
            language = detect(turn.shopper, language)  # as the assistant read it
            said.append(turn.shopper)
            if not turn.reply or (turn.intent not in CHECKED_INTENTS and not turn.suggestions):
                continue
            checked += 1
            cards = [s.model_dump() for s in turn.suggestions]
            # The cards' own evidence (a product page quoted, why a stand-in) is fact too.
            texts = [str(s.get("alternative") or "") for s in cards] + [
                str(e.get("detail", "")) for s in cards for e in s.get("evidence") or []]
            # What the facts said is sold out is fact too (the reply check saw it).
            texts += [f"{name} sold out" for name in turn.sold_out]
            facts = TurnFacts(cards=cards, texts=texts, asked=list(said), unavailable=bool(
                turn.sold_out) or any(s.get("alternative") or s.get("differs") for s in cards))
            problems = unsupported_claims(turn.reply, facts, vocabulary=vocabulary,
                                          language=language, check_stock=bool(cards))
            failures += [f"turn {n}: {p}" for p in problems]
        return verdict(self.name, checked, failures)
