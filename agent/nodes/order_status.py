"""Order status, shown only to the order's owner (signed in, or proving email/postcode)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session

from agent.commerce.history import latest_order_id
from agent.commerce.orders import find_order_for_shopper
from agent.commerce.query import find_email, find_order_id, find_postcode
from agent.context import TandemContext
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState

MAX_PROOF_FAILURES = 5


def order_status(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    text = last_shopper_text(state)
    order_id = find_order_id(text) or state.get("pending_order_id")
    if order_id is None and ctx.customer_id is not None:
        # A signed-in shopper asking "where is my order?" means their latest one.
        with Session(ctx.engine) as session:
            order_id = latest_order_id(session, customer_id=ctx.customer_id)
        ctx.reads.append("orders")
    if order_id is None:
        return {"facts": {"need": "order_id"}}
    email, postcode = find_email(text), find_postcode(text)
    if ctx.customer_id is not None:
        # Signed in, the account is the only proof that counts: typing someone else's
        # email or postcode must never open their order.
        email = postcode = None
    if ctx.customer_id is None and email is None and postcode is None:
        return {"facts": {"need": "proof", "order_id": order_id}, "pending_order_id": order_id}
    failures = state.get("proof_failures", 0)
    if failures >= MAX_PROOF_FAILURES:
        return {"facts": {"too_many_attempts": True}}
    with Session(ctx.engine) as session:
        order = find_order_for_shopper(session, order_id=order_id, email=email,
                                       postcode=postcode, customer_id=ctx.customer_id)
    ctx.reads.append("orders")
    if order is None:
        # Unknown order and wrong proof read the same, so ids cannot be probed.
        return {"facts": {"not_found": True, "order_id": order_id},
                "pending_order_id": None, "proof_failures": failures + 1,
                "turns_without_progress": state.get("turns_without_progress", 0) + 1}
    return {
        "facts": {"order": {
            "id": order.id, "status": order.status, "status_words": order.status_words,
            "placed_on": order.placed_on.isoformat(),
            "items": [f"{i.quantity} x {i.name}" for i in order.items],
            "carrier": order.carrier, "tracking_number": order.tracking_number,
            "expected_delivery": order.expected_delivery.isoformat()
            if order.expected_delivery else None,
        }},
        "pending_order_id": None, "turns_without_progress": 0,
    }
