"""Order look-up with proof of ownership.

A shopper who is not signed in proves an order is theirs with the email or postcode on it.
A wrong proof gets exactly the same answer as an unknown order id, so order ids cannot be
probed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from domain.tables import Order, OrderItem

STATUS_WORDS = {
    "pending": "received and waiting to be processed",
    "processed": "packed and about to ship",
    "shipped": "on its way",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "return_requested": "marked for return",
}


@dataclass(frozen=True)
class OrderItemView:
    name: str
    quantity: int


@dataclass(frozen=True)
class OrderView:
    id: str
    status: str
    status_words: str
    placed_on: date
    items: tuple[OrderItemView, ...]
    carrier: str | None
    tracking_number: str | None
    expected_delivery: date | None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.strip().lower().encode(), b.strip().lower().encode())


def find_order_for_shopper(
    session: Session,
    *,
    order_id: str,
    email: str | None = None,
    postcode: str | None = None,
    customer_id: str | None = None,
) -> OrderView | None:
    """The order if the proof matches it; None for unknown ids and wrong proofs alike."""
    order = session.get(Order, order_id)
    if order is None:
        return None
    proven = (
        (customer_id is not None and order.customer_id == customer_id)
        or (email is not None and _same(email, order.email))
        or (postcode is not None and bool(order.postcode) and _same(postcode, order.postcode))
    )
    if not proven:
        return None
    items = session.exec(select(OrderItem).where(OrderItem.order_id == order.id)).all()
    return OrderView(
        id=order.id,
        status=order.status,
        status_words=STATUS_WORDS.get(order.status, order.status.replace("_", " ")),
        placed_on=order.created_at.date(),
        items=tuple(OrderItemView(name=i.product_name, quantity=i.quantity) for i in items),
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        expected_delivery=order.expected_delivery,
    )
