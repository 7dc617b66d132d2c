"""A question about a card shown ("is it waterproof?", "how heavy is the second one?"),
answered from that product's own page (agent/commerce/product_answer.py).  Never the
out-of-scope reply: the product was ours a turn ago, and so is the question."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session

from agent.commerce.inventory import InventoryUnavailable, soonest_source, stock_note
from agent.commerce.product_answer import answer_question
from agent.context import TandemContext
from agent.evidence import Evidence, because_text
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState
from domain.tables import Product, Variant


def product_question(state: ConversationState, runtime: Runtime[TandemContext]
                     ) -> dict[str, Any]:
    ctx = runtime.context
    card = state.get("focus") or {}
    with Session(ctx.engine) as session:
        product = session.get(Product, str(card.get("product_id", "")))
        variant = session.get(Variant, str(card.get("variant_id", "")))
    ctx.reads.append("catalog")
    if product is None:  # the product left the catalogue since it was shown
        return {"facts": {"no_match": True}, "intent": "discovery"}
    stored = variant.options if variant is not None else card.get("options")
    options = {str(k): str(v) for k, v in (stored or {}).items() if v not in (None, "")}
    answer = answer_question(last_shopper_text(state), name=product.name,
                             description=product.description, tags=product.tags,
                             options=options)
    facts = {"answer": answer.as_facts(), "unanswered": not answer.found,
             "card": {"name": product.name, "price": card.get("price"), "options": options}}
    shown = _card_again(ctx, card, answer.found, options)
    return {"facts": facts, "suggestions": shown, "turns_without_progress": 0}


def _card_again(ctx: TandemContext, card: dict[str, Any], found: list[str],
                options: dict[str, Any]) -> list[dict[str, Any]]:
    """The card asked about, shown again with what its page says, when still in stock (its
    stock read now, like every suggestion's)."""
    variant_id = str(card.get("variant_id", ""))
    try:
        source = soonest_source(ctx.inventory.stock_for([variant_id]).get(variant_id, []),
                                ctx.region)
    except InventoryUnavailable:
        return []
    ctx.reads.append("inventory")
    if source is None:
        return []
    evidence = [Evidence(kind="page", source="catalog", detail=line) for line in found[:2]]
    evidence.append(Evidence(kind="stock", source="inventory",
                             detail=stock_note(source, ctx.region)))
    return [{k: card.get(k) for k in ("product_id", "variant_id", "name", "category", "price",
                                      "size", "color")}
            | {"options": options, "currency": "USD", "in_stock": True,
               "stock_note": stock_note(source, ctx.region), "because": because_text(evidence),
               "evidence": [e.model_dump() for e in evidence], "alternative": None}]
