"""Personal suggestions for a signed-in shopper who left personalisation on.

Nothing here runs otherwise: `load_personal` returns None without touching the database
when personalisation is off or the shopper is anonymous, so purchase history and the stored
profile are neither read nor written.  Every read and write is recorded in
`TandemContext.reads` ("orders:history", "profile", "profile:write") for the privacy audit.
History only ever changes which size is offered, and then it is the evidence for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from agent.commerce.catalog import Candidate
from agent.commerce.history import (
    PurchaseHistory,
    purchase_history,
    remember_sizes,
    stored_sizes,
)
from agent.commerce.inventory import StockAt
from agent.commerce.query import ShopperQuery
from agent.context import TandemContext
from agent.evidence import Evidence
from domain.db import session_scope


@dataclass
class Personal:
    customer_id: str
    history: PurchaseHistory
    sizes: dict[str, str]
    """Sizes from the stored profile, per category (they beat the purchase history)."""
    used: dict[str, tuple[str, Evidence]] = field(default_factory=dict)
    """Per product id, the size chosen from history and the evidence behind it."""
    categories: dict[str, str] = field(default_factory=dict)
    """Product id -> category of every candidate seen, for remembering sizes."""

    def _usual(self, category: str) -> tuple[str, Evidence] | None:
        if size := self.sizes.get(category):
            return size, Evidence(kind="history", source="profile",
                                  detail=f"you chose size {size} for {category} before")
        if past := self.history.usual_size.get(category):
            return past.size, Evidence(
                kind="history", source="orders",
                detail=f"you bought the {past.product_name} in size {past.size}")
        return None

    def prefer_sizes(self, candidates: list[Candidate], stock: dict[str, list[StockAt]],
                     query: ShopperQuery) -> list[Candidate]:
        """Offer each product in the shopper's usual size when it is in stock.

        A size the shopper stated (now or earlier in this conversation) always wins.
        """
        self.categories |= {c.product.id: c.product.category for c in candidates}
        if query.size is not None:
            return candidates
        preferred: list[Candidate] = []
        for candidate in candidates:
            usual = self._usual(candidate.product.category)
            fitting = tuple(v for v in candidate.variants
                            if usual and v.size == usual[0] and stock.get(v.id))
            if usual and fitting:
                self.used[candidate.product.id] = usual
                candidate = replace(candidate, variants=fitting)
            preferred.append(candidate)
        return preferred

    def evidence_for(self, product_id: str, size: str | None) -> list[Evidence]:
        """The history evidence for a suggestion, only if its size is the one history chose."""
        used = self.used.get(product_id)
        return [used[1]] if used is not None and size == used[0] else []

    def remember(self, ctx: TandemContext, query: ShopperQuery, size_from: str,
                 suggestions: list[dict[str, Any]]) -> None:
        """Keep a size the shopper stated in this message, for the categories it was used in."""
        if size_from != "message" or query.size is None:
            return
        sizes = {self.categories[s["product_id"]]: query.size for s in suggestions
                 if s.get("size") == query.size and s["product_id"] in self.categories}
        if not sizes:
            return
        with session_scope(ctx.engine) as session:
            remember_sizes(session, customer_id=self.customer_id, sizes=sizes)
        ctx.reads.append("profile:write")


def load_personal(ctx: TandemContext) -> Personal | None:
    """The shopper's history and profile, or None (nothing read) when not allowed."""
    if not ctx.personalization or ctx.customer_id is None:
        return None
    with Session(ctx.engine) as session:
        history = purchase_history(session, customer_id=ctx.customer_id)
        ctx.reads.append("orders:history")
        sizes = stored_sizes(session, customer_id=ctx.customer_id)
        ctx.reads.append("profile")
    return Personal(customer_id=ctx.customer_id, history=history, sizes=sizes)
