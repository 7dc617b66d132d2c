"""A signed-in customer's purchase history and stored preferences, for personal suggestions.

Only read with personalisation on (the caller checks, and records each read in
`TandemContext.reads`).  Cancelled orders do not count: the shopper did not keep them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from domain.tables import Order, OrderItem, Product, ShopperProfile, Variant, utcnow


@dataclass(frozen=True)
class PastPurchase:
    product_name: str
    size: str


@dataclass(frozen=True)
class PurchaseHistory:
    categories: frozenset[str] = frozenset()
    """Categories the customer has bought from (and kept)."""
    usual_size: dict[str, PastPurchase] = field(default_factory=dict)
    """Per category, the size bought most often, with the latest product bought in it."""


def purchase_history(session: Session, *, customer_id: str) -> PurchaseHistory:
    rows = session.exec(
        select(Product.category, Product.name, Variant.size)
        .join(Variant, col(Variant.product_id) == col(Product.id))
        .join(OrderItem, col(OrderItem.variant_id) == col(Variant.id))
        .join(Order, col(Order.id) == col(OrderItem.order_id))
        .where(Order.customer_id == customer_id, Order.status != "cancelled")
        .order_by(col(Order.created_at))
    ).all()
    sizes: dict[str, Counter[str]] = defaultdict(Counter)
    latest: dict[tuple[str, str], str] = {}
    for category, name, size in rows:
        if size:
            sizes[category][size] += 1
            latest[(category, size)] = name  # oldest first, so the last one wins
    usual = {}
    for category, counts in sizes.items():
        size = counts.most_common(1)[0][0]
        usual[category] = PastPurchase(product_name=latest[(category, size)], size=size)
    return PurchaseHistory(categories=frozenset(c for c, _, _ in rows), usual_size=usual)


def stored_sizes(session: Session, *, customer_id: str) -> dict[str, str]:
    """Sizes the shopper asked for before, per category (empty when none are kept)."""
    profile = session.get(ShopperProfile, customer_id)
    return dict(profile.sizes) if profile else {}


def remember_sizes(session: Session, *, customer_id: str, sizes: dict[str, str]) -> None:
    """Keep the sizes the shopper just asked for, per category (an idempotent upsert)."""
    profile = session.get(ShopperProfile, customer_id) or ShopperProfile(customer_id=customer_id)
    profile.sizes = {**profile.sizes, **sizes}
    profile.updated_at = utcnow()
    session.add(profile)


def latest_order_id(session: Session, *, customer_id: str) -> str | None:
    """The customer's most recent order, for "where is my order?" from a signed-in shopper."""
    return session.exec(select(Order.id).where(Order.customer_id == customer_id)
                        .order_by(col(Order.created_at).desc())).first()
