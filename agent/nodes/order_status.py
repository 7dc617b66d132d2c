"""Order status, shown only to the order's owner: signed in, or proving the email (all of
it) or the postcode (the status alone) on the order.  Failed proofs are counted per order
id and per client in the database (agent/commerce/orders.py), not in this conversation."""

from __future__ import annotations

import math
from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session

from agent.commerce.history import latest_order_id
from agent.commerce.orders import (
    OrderView,
    ProofCheck,
    check_order_proof,
    find_order_for_shopper,
)
from agent.commerce.query import find_email, find_order_id, find_postcode
from agent.context import TandemContext
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState
from domain.db import session_scope


def _order_facts(order: OrderView) -> dict[str, Any]:
    facts: dict[str, Any] = {"id": order.id, "status": order.status,
                             "status_words": order.status_words}
    if not order.full_details:
        # The postcode alone: the status, nothing that leads to the parcel or the person.
        return facts | {"details_need_email": True}
    return facts | {
        "placed_on": order.placed_on.isoformat(),
        "items": [f"{i.quantity} x {i.name}" for i in order.items],
        "carrier": order.carrier, "tracking_number": order.tracking_number,
        "expected_delivery": order.expected_delivery.isoformat()
        if order.expected_delivery else None,
    }


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
    if ctx.customer_id is None and email is None and postcode is None:
        return {"facts": {"need": "proof", "order_id": order_id}, "pending_order_id": order_id}
    with session_scope(ctx.engine) as session:
        if ctx.customer_id is not None:
            # Signed in, the account is the only proof that counts: typing someone else's
            # email or postcode must never open their order (and there is nothing to guess).
            check = ProofCheck(order=find_order_for_shopper(
                session, order_id=order_id, customer_id=ctx.customer_id))
        else:
            check = check_order_proof(session, order_id=order_id, email=email,
                                      postcode=postcode, client_key=ctx.client_key)
    ctx.reads.append("orders")
    if check.order is None:
        # Unknown order and wrong proof read the same, so ids cannot be probed; a lock-out
        # falls on unknown ids too, so it says nothing about whether the order exists.
        facts: dict[str, Any] = {"not_found": True, "order_id": order_id}
        if check.locked_s:
            facts = {"too_many_attempts": True,
                     "retry_minutes": max(1, math.ceil(check.locked_s / 60))}
        return {"facts": facts, "pending_order_id": None,
                "turns_without_progress": state.get("turns_without_progress", 0) + 1}
    return {"facts": {"order": _order_facts(check.order)},
            "pending_order_id": None, "turns_without_progress": 0}
