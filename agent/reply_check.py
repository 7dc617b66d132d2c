"""Checks a model-phrased reply against the facts the graph fetched, before it stands.

The model only phrases facts; on two CPU cores it is a small one, and measured on the
starter suite it sometimes drops the fact that matters ("runs small" with no size, an order
status with no tracking id) or invents one ("has been shipped" for an order still waiting,
a $19.99 jacket the store does not have).  A reply that states a fact the graph did not
fetch, leaves out the one fact the turn is about, or fails to ask for what is missing is
replaced by the template reply built from the same facts (prompts/fallback.j2): plainer,
but true.  Each replacement is logged with its reason and counted (`GET /healthz`).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from agent.claims import TurnFacts, unsupported_claims
from agent.commerce.options import OptionVocabulary
from agent.commitments import shopper_sources, store_facts, store_words_problem
from agent.fact_check import unsupported_facts

# Intents whose reply may say what is or is not in stock (a sizing reply says which sizes a
# product comes in, not whether they are on the shelf).
_STOCK_INTENTS = frozenset({"discovery", "product_question"})


def _strings(value: Any) -> Iterator[str]:
    """Every string and number in the facts, prices also as "$12.50" (how replies say them)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield f"${value:.2f}"
    else:
        yield str(value)


def _mentions_size(reply: str, size: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(size)}(?!\w|\.\d)", reply) is not None


# "Go with size 10", "try a 12", "stick with the M": the sizes a reply tells them to take.
_RECOMMENDED = re.compile(
    r"\b(?:go with|go for|get|getting|try|order|recommend|recommended for|suggest|stick with|"
    r"stay with|keep|choose|pick|take|size up to|size down to)\s+(?:the\s+|a\s+|an\s+|"
    r"your\s+)?(?:size\s+)?(\d{1,2}(?:\.5)?|X{0,3}S|M|X{0,3}L)(?!\w|\.\d)", re.IGNORECASE)
_MOVE_WORDS = {
    "up": re.compile(r"\b(?:size down|go down|a size down|down a size|(?:a|one) smaller "
                     r"(?:size|one))\b", re.IGNORECASE),
    "down": re.compile(r"\b(?:size up|go up|a size up|up a size|(?:a|one) (?:bigger|larger) "
                       r"(?:size|one))\b", re.IGNORECASE)}
_ASKS_PRODUCT = re.compile(r"\b(?:product|item|which one|model|what are you|what did you)\b",
                           re.IGNORECASE)


def _sizing_problem(facts: dict[str, Any], reply: str, *, asks: bool) -> str | None:
    """A sizing reply must say the advised size and no other, point the way the shopper's
    size has to move, and ask for exactly what is missing."""
    advice, end = facts.get("advice"), facts.get("end_of_run")
    for said in _RECOMMENDED.findall(reply):
        if said.upper() not in {str(advice).upper(), str(end).upper()}:
            if facts.get("has_size") and said.upper() == str(facts["has_size"]).upper():
                return f"recommends the {said} the shopper said does not fit"
            return f"recommends size {said}, not the advice"
    move = facts.get("move")
    if move in _MOVE_WORDS and _MOVE_WORDS[move].search(reply):
        return f"says to go the other way; their size must go {move}"
    if advice:
        if not _mentions_size(reply, str(advice)):
            return f"does not recommend size {advice}"
    elif end:
        if not _mentions_size(reply, str(end)):
            return f"does not say {end} is the {facts.get('end')} size"
    elif not asks:
        return "does not ask for the product or the shopper's usual size"
    elif facts.get("no_product") and not _ASKS_PRODUCT.search(reply):
        return "does not ask which product"
    elif facts.get("need") == "size_they_have" and "size" not in reply.casefold():
        return "does not ask which size they have"
    return None


def _missing_fact(intent: str, facts: dict[str, Any], reply: str) -> str | None:
    """The one fact this turn is about, when the reply leaves it out or asks nothing when
    something is missing."""
    asks = "?" in reply
    if intent == "order_status":
        order = facts.get("order")
        if not order:
            return None if asks else "does not ask for the order number or proof"
        if str(order["id"]).lstrip("#").casefold() not in reply.casefold():
            return f"does not name order {order['id']}"  # a bare "cancelled" says too little
        if order["status_words"].casefold() not in reply.casefold():
            return f"does not say the order is {order['status_words']}"
        if order.get("tracking_number") and order["tracking_number"] not in reply:
            return "leaves out the tracking number"
    elif intent == "sizing":
        return _sizing_problem(facts, reply, asks=asks)
    elif intent == "discovery":
        products = facts.get("products") or []
        if not products and not asks:
            return "found nothing but asks nothing to widen the search"
    return None


def reply_problem(intent: str, facts: dict[str, Any], shopper: str, reply: str, *,
                  store_names: Iterable[str] = (), cards: Sequence[dict[str, Any]] = (),
                  vocabulary: OptionVocabulary | None = None,
                  language: str = "en") -> str | None:
    """Why the reply cannot stand, or None when it is supported by the facts.
    `store_names` are the store's product names: one the reply names must be in the facts
    (a product the graph did not fetch was never checked for stock).  Every size, colour,
    option value, stock, count, delivery and measure claim must hold for the turn's `cards`
    and facts (agent/claims.py); `vocabulary` is the store's options, to recognise them."""
    # The shopper's words vouch for nothing the store states (agent/commitments.py).
    sources = [*shopper_sources(shopper), *_strings(store_facts(facts))]
    invented = unsupported_facts([reply], sources, dates=True)
    known = " ".join(sources).casefold()
    invented += [name for name in store_names
                 if name.casefold() in reply.casefold() and name.casefold() not in known]
    invented += unsupported_claims(reply, TurnFacts.from_turn(facts, cards),
                                   vocabulary=vocabulary, language=language,
                                   check_stock=intent in _STOCK_INTENTS)
    if invented:
        return "states what the facts do not: " + ", ".join(invented[:3])
    return store_words_problem(reply, facts) or _missing_fact(intent, facts, reply)


class ReplyChecks:
    """How many model replies were kept and replaced, and why (shared by a process's turns)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.kept = 0
        self.replaced: Counter[str] = Counter()

    def record(self, intent: str, problem: str | None) -> None:
        with self._lock:
            if problem is None:
                self.kept += 1
            else:
                self.replaced[intent] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"kept": self.kept, "replaced": sum(self.replaced.values()),
                    "replaced_by_intent": dict(self.replaced)}
