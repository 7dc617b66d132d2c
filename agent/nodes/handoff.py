"""Hand the conversation to a person, with a context summary drafted from the transcript.

This node only records what the transcript and the verdict say (no model call), so the
shopper hears at once that a person will take over; the service may then ask the model to
polish the summary in the background.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.commerce.query import find_order_id
from agent.context import TandemContext
from agent.nodes.text import shopper_texts
from agent.privacy.redact import remove_payment_and_address
from agent.state import ConversationState


def draft_summary(state: ConversationState, verdict: dict[str, Any]) -> dict[str, Any]:
    """Facts only: every field is copied from the transcript, the state or the verdict."""
    texts = shopper_texts(state)
    orders = sorted({oid for t in texts if (oid := find_order_id(t))})
    tried = []
    for message in state["messages"]:
        if message.type == "ai" and message.content:
            tried.append(str(message.content)[:160])
    return {
        # The transcript is one click away; the summary is read at a glance, on screens
        # others may see: no card numbers or street addresses in it.
        "wants": remove_payment_and_address(texts[-1])[:300],
        "earlier_messages": [remove_payment_and_address(t)[:200] for t in texts[-4:-1]],
        "orders": orders,
        "mood": verdict.get("mood", "neutral"),
        "mood_evidence": verdict.get("reasons", []),
        "already_tried": tried[-3:],
        "shopper_size": state.get("shopper_size"),
    }


def handoff(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    verdict = state.get("verdict") or {}
    summary = draft_summary(state, verdict)
    return {
        "route": "human",
        "handoff_summary": summary,
        "facts": {"rule": verdict.get("rule"), "mood": verdict.get("mood", "neutral"),
                  "staffing": runtime.context.staffing},
    }
