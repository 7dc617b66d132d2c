"""Order status against the store: the right status words and tracking id for the order,
and no detail of an order shown before the shopper proved it is theirs.

Proof is checked offline against the hashed email and postcode recorded with the order
(or the signed-in customer id), exactly as the store checks it: the account or the email
open everything, the postcode alone only the status (no tracking id).
"""

from __future__ import annotations

from typing import ClassVar

from agent.commerce.orders import STATUS_WORDS
from evals.scorers.base import EMAIL, POSTCODE, ScoreResult, contains, order_ids, verdict
from evals.transcript import OrderRecord, Transcript, proof_hash


def _proofs(text: str) -> set[str]:
    return {proof_hash(v) for v in EMAIL.findall(text)} | {
        proof_hash(v) for v in POSTCODE.findall(text)}


def _proven(order: OrderRecord, proofs: set[str], customer_id: str | None) -> bool:
    return _fully_proven(order, proofs, customer_id) or (
        order.postcode_sha256 is not None and order.postcode_sha256 in proofs)


def _fully_proven(order: OrderRecord, proofs: set[str], customer_id: str | None) -> bool:
    """Proof that opens the tracking details: the account or the email."""
    return ((customer_id is not None and order.customer_id == customer_id)
            or (order.email_sha256 is not None and order.email_sha256 in proofs))


def _details_shown(reply: str, order_id: str, order: OrderRecord) -> bool:
    if order.tracking_number and order.tracking_number in reply:
        return True
    return order_id in order_ids(reply) and contains(reply, order.status_words)


def _wrong_status(reply: str, order: OrderRecord) -> str | None:
    """Another status's words in a reply that lacks this order's own words."""
    if contains(reply, order.status_words):
        return None
    for status, words in STATUS_WORDS.items():
        if status != order.status and contains(reply, words):
            return status
    return None


class OrderStatusScorer:
    name: ClassVar[str] = "order_status"

    def score(self, transcript: Transcript) -> ScoreResult:
        failures: list[str] = []
        checked = 0
        proofs: set[str] = set()
        customer = transcript.setup.customer_id
        for n, turn in enumerate(transcript.turns, 1):
            proofs |= _proofs(turn.shopper)
            want = turn.expect.order
            for order_id, order in transcript.orders.items():
                expected_here = want is not None and want.id == order_id
                mentioned = order_id in order_ids(turn.reply)
                shown = _details_shown(turn.reply, order_id, order)
                if not (expected_here or mentioned or shown):
                    continue
                checked += 1
                if shown and not _proven(order, proofs, customer):
                    failures.append(f"turn {n}: {order_id} details shown without proof")
                    continue
                if expected_here and want is not None and not want.shown:
                    if shown:
                        failures.append(f"turn {n}: {order_id} details shown, none expected")
                    continue
                if expected_here and not shown:
                    failures.append(f"turn {n}: status of {order_id} ({order.status_words}) "
                                    "not given")
                    continue
                full = _fully_proven(order, proofs, customer)
                tracked = bool(order.tracking_number) and order.tracking_number in turn.reply
                if mentioned and (other := _wrong_status(turn.reply, order)):
                    failures.append(f"turn {n}: {order_id} described as {other}, "
                                    f"store says {order.status}")
                elif shown and not full and tracked:
                    failures.append(f"turn {n}: {order_id} tracking id shown on the postcode "
                                    "alone")
                elif shown and full and order.tracking_number and not tracked:
                    failures.append(f"turn {n}: {order_id} tracking id missing or wrong")
        return verdict(self.name, checked, failures)
