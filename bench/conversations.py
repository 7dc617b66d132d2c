"""The fixed shopper conversations of the bench, over the demo store (seed 7).

Four kinds, as the issue asks: discovery, sizing, order status and escalation.  Each turn
says what a good answer must get right (`Check`), which `bench/grounding.py` verifies
against the store.  Order ids and emails are read from the store, so the conversations
stay true if the demo store changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlmodel import Session, col, select

from domain.tables import Order

CheckKind = Literal["products", "sizing", "order_proof", "order", "handoff"]


@dataclass(frozen=True)
class Check:
    kind: CheckKind
    product: str | None = None
    """For sizing: the product the shopper asks about."""
    order_id: str | None = None


@dataclass(frozen=True)
class Turn:
    text: str
    check: Check

    @property
    def routine(self) -> bool:
        """A turn the assistant answers itself (not one handed to a person)."""
        return self.check.kind != "handoff"


@dataclass(frozen=True)
class Conversation:
    name: str
    kind: Literal["discovery", "sizing", "order_status", "escalation"]
    turns: tuple[Turn, ...] = field(default_factory=tuple)


def _order(session: Session, status: str) -> Order:
    order = session.exec(select(Order).where(Order.status == status)
                         .order_by(col(Order.id))).first()
    if order is None:
        raise LookupError(f"the demo store has no {status} order")
    return order


def bench_conversations(session: Session) -> list[Conversation]:
    shipped, delivered = _order(session, "shipped"), _order(session, "delivered")
    return [
        Conversation("rain jacket", "discovery", (
            Turn("I need a waterproof hiking jacket under $200, size M", Check("products")),
            Turn("any hiking boots in size 10?", Check("products")),
        )),
        Conversation("camping", "discovery", (
            Turn("I'm looking for a tent for two people", Check("products")),
            Turn("and a sleeping bag for summer nights", Check("products")),
        )),
        Conversation("sizing", "sizing", (
            Turn("What size should I get in the Cascade Waterproof Rain Jacket? I'm usually "
                 "a M", Check("sizing", product="Cascade Waterproof Rain Jacket")),
            Turn("which size of the Flint Trail Runner for me? I wear a 10",
                 Check("sizing", product="Flint Trail Runner")),
        )),
        Conversation("order shipped", "order_status", (
            Turn(f"Where is my order {shipped.id}?", Check("order_proof", order_id=shipped.id)),
            Turn(f"my email is {shipped.email}", Check("order", order_id=shipped.id)),
        )),
        Conversation("order delivered", "order_status", (
            Turn(f"Has order {delivered.id} arrived? The email on it is {delivered.email}",
                 Check("order", order_id=delivered.id)),
        )),
        Conversation("refund", "escalation", (
            Turn("The boots I got are damaged and I want a refund", Check("handoff")),
        )),
    ]
