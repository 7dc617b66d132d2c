"""Order look-up with proof of ownership.

A signed-in shopper's account proves their own orders.  Otherwise the email on the order
opens all of it (status, items, carrier, tracking, dates); the postcode alone only its
status: a five-digit postcode is a small space to guess, and a status ("on its way") tells
someone else little, while a tracking number leads to the parcel.  A wrong proof gets exactly
the same answer as an unknown order id, so order ids cannot be probed, and every failure is
counted per order id and per client in the database (domain/throttle.py): past a few, the
order id or the client is locked out for longer each time, whichever conversation asks.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlmodel import Session, select

from domain.tables import Order, OrderItem
from domain.throttle import ThrottlePolicy, forget, record_failure, seconds_locked

Proof = Literal["account", "email", "postcode"]
ORDER_GUESSES = ThrottlePolicy(free_failures=3, first_lock_s=60, max_lock_s=86_400)
"""Per order id: three wrong proofs, then locked 1, 2, 4... minutes, up to a day."""
CLIENT_GUESSES = ThrottlePolicy(free_failures=10, first_lock_s=60, max_lock_s=86_400)
"""Per client (a keyed hash of the IP address): more room for a household behind one
address, then the same doubling lock."""

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
    proof: Proof
    """What proved it: the account or the email open everything, the postcode the status."""

    @property
    def full_details(self) -> bool:
        return self.proof != "postcode"


@dataclass(frozen=True)
class ProofCheck:
    order: OrderView | None
    """The order when the proof matched; None for unknown ids and wrong proofs alike."""
    locked_s: int = 0
    """Above 0: too many failed proofs for this order id or client; nothing was checked."""


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
    proof: Proof | None = None
    if customer_id is not None and order.customer_id == customer_id:
        proof = "account"
    elif email is not None and bool(order.email) and _same(email, order.email):
        proof = "email"
    elif postcode is not None and bool(order.postcode) and _same(postcode, order.postcode):
        proof = "postcode"
    if proof is None:
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
        proof=proof,
    )


def check_order_proof(session: Session, *, order_id: str, email: str | None,
                      postcode: str | None, client_key: str | None) -> ProofCheck:
    """An anonymous shopper's proof, checked only while neither the order id nor the
    client is locked out; a failure counts against both (unknown ids too, so a lock says
    nothing about whether the order exists)."""
    keys = [f"order:{order_id.upper()}"]
    if client_key:
        keys.append(f"order-client:{client_key}")
    if locked := seconds_locked(session, keys):
        return ProofCheck(order=None, locked_s=locked)
    order = find_order_for_shopper(session, order_id=order_id, email=email, postcode=postcode)
    if order is None:
        record_failure(session, keys[0], ORDER_GUESSES)
        if client_key:
            record_failure(session, keys[1], CLIENT_GUESSES)
        return ProofCheck(order=None)
    # The owner proved it: their order is not held hostage by someone else's guesses.
    # The client's count stays: a script must not clear it with an order of its own.
    forget(session, keys[0])
    return ProofCheck(order=order)
