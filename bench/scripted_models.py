"""Deterministic stand-ins for the model, for `--provider scripted` (the bench's smoke test).

They exercise every path of the bench in seconds: Tandem's model repeats the facts it is
given; the ReAct model picks a tool by keywords, writes the call as JSON text (as small
local models do) and then repeats the tool's answer.  Their numbers measure the plumbing,
not a model: token counts are words.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from agent.commerce.query import find_email, find_order_id, find_postcode, parse_query
from agent.llm.scripted import ScriptedChatModel

_HANDOFF_WORDS = ("refund", "return", "damaged", "complaint", "person")
_SIZE_WORDS = ("what size", "which size")


def _repeat_facts(messages: Sequence[BaseMessage]) -> str:
    """Tandem's stand-in: the FACTS of the reply prompt, as the reply."""
    prompt = str(messages[-1].content)
    facts = [line.removeprefix("FACTS:").strip().lstrip("- ")
             for line in prompt.splitlines()
             if line.startswith(("FACTS:", "- "))]
    return " ".join(facts) or "How can I help?"


def _call(name: str, **arguments: str) -> str:
    return json.dumps({"name": name, "arguments": arguments})


def _react_step(messages: Sequence[BaseMessage]) -> str:
    """The baseline's stand-in: one tool call per shopper message, then its answer."""
    last = messages[-1]
    if isinstance(last, ToolMessage):
        return str(last.content).splitlines()[0]
    shopper = [str(m.content) for m in messages if isinstance(m, HumanMessage)]
    text = shopper[-1]
    lowered = text.lower()
    if any(w in lowered for w in _HANDOFF_WORDS):
        return _call("transfer_to_person", reason=text)
    order_id = next((o for t in reversed(shopper) if (o := find_order_id(t))), None)
    if order_id:
        proof = find_email(text) or find_postcode(text)
        if not proof:
            return "Please tell me the email address or postcode on the order."
        return _call("order_status", order_id=order_id, email_or_postcode=proof)
    if any(w in lowered for w in _SIZE_WORDS):
        return _call("size_advice_for", product_name=text,
                     usual_size=parse_query(text).size or "")
    return _call("search_products", query=text)


def scripted_tandem_model() -> ScriptedChatModel:
    return ScriptedChatModel(default_reply=_repeat_facts)


def scripted_react_model() -> ScriptedChatModel:
    return ScriptedChatModel(default_reply=_react_step)
