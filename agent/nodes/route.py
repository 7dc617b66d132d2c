"""The router: escalation policy first, then rules for the routine intents."""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from agent.commerce.query import find_email, find_order_id, find_postcode, parse_query
from agent.context import TandemContext
from agent.nodes.text import last_shopper_text, normalise
from agent.state import ConversationState, Intent

_ORDER_WORDS = re.compile(
    r"\b(my order|order status|where is my|wheres my|track(ing)?|shipped|shipping status|"
    r"deliver(y|ed)|package|parcel|arrive)\b", re.IGNORECASE)
_SIZING_WORDS = re.compile(
    r"\b(what size|which size|size chart|sizing|fit|fits|runs (small|large|big)|"
    r"true to size|should i (get|order|buy)|between sizes)\b", re.IGNORECASE)
_WHY = re.compile(
    r"\b(why (did|do|would|were) you (suggest|recommend|pick|choose|chose|show|offer)|"
    r"what made you (suggest|recommend|pick|choose)|how did you (pick|choose)|"
    r"why (are|were) (these|those|they) (suggested|recommended))\b"
    r"|^\s*why( (this|that|these|those|them)( one| ones)?)?\s*[?!.]*$", re.IGNORECASE)
_SMALLTALK = re.compile(
    r"^\s*(hi|hello|hey|thanks|thank you|cheers|ok|okay|bye|good (morning|evening)|"
    r"who are you|what can you do)\b[\s!.?]*$", re.IGNORECASE)


def classify(text: str, *, pending_order: bool) -> Intent:
    if _WHY.search(text):
        return "explain"
    if find_order_id(text) or (pending_order and (find_email(text) or find_postcode(text))):
        return "order_status"
    if _ORDER_WORDS.search(text):
        return "order_status"
    if _SIZING_WORDS.search(text):
        return "sizing"
    if _SMALLTALK.match(text) or not parse_query(text).terms:
        return "smalltalk"
    return "discovery"


def route(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    text = last_shopper_text(state)
    asked = normalise(text)
    repeated = bool(asked) and asked == state.get("last_question") and len(asked) > 12
    verdict = runtime.context.policy.decide(
        text,
        turns_without_progress=state.get("turns_without_progress", 0),
        repeated_question=repeated,
    )
    update: dict[str, Any] = {
        "facts": {}, "suggestions": [], "verdict": None, "last_question": asked,
    }
    stated_size = parse_query(text).size
    if stated_size is not None:
        # A size the shopper states is kept for the rest of the conversation.
        update["shopper_size"] = stated_size
    if verdict.escalate:
        return update | {"intent": "handoff", "verdict": verdict.model_dump()}
    intent = classify(text, pending_order=bool(state.get("pending_order_id")))
    return update | {"intent": intent, "route": "assistant"}
