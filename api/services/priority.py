"""The configurable escalation triggers that depend on store data, applied to a new handoff.

The policy decides *whether* a person takes over from the shopper's words; this module
adjusts *how urgently*, from facts the words cannot carry: a customer whose lifetime spend
reaches `triggers.high_value_customers` in policies/escalation.yaml moves up the queue, and
the reason is stored with the handoff so agents and auditors can see why.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from agent.escalation import Triggers
from domain.tables import Order

# Orders that never turned into revenue do not make a customer high-value.
_NOT_SPENT = ("cancelled",)


@dataclass(frozen=True)
class Urgency:
    priority: int
    reasons: list[str]


def lifetime_spend(session: Session, customer_id: str) -> float:
    total = session.exec(
        select(func.coalesce(func.sum(Order.total_cents), 0))
        .where(Order.customer_id == customer_id)
        .where(col(Order.status).not_in(_NOT_SPENT))
    ).one()
    return int(total) / 100


def handoff_urgency(session: Session, *, triggers: Triggers, customer_id: str | None,
                    priority: int, reasons: list[str]) -> Urgency:
    """The verdict's priority and reasons, raised for a high-value customer when enabled."""
    high_value = triggers.high_value_customers
    if high_value is None or not high_value.enabled or customer_id is None:
        return Urgency(priority, reasons)
    spend = lifetime_spend(session, customer_id)
    if spend < high_value.min_lifetime_spend:
        return Urgency(priority, reasons)
    reason = (f"high-value customer: lifetime spend ${spend:,.0f} "
              f"(policy threshold ${high_value.min_lifetime_spend:,.0f})")
    return Urgency(min(priority, high_value.priority), [*reasons, reason])
