"""A question about a card shown ("is it waterproof?", "how heavy is the second one?"),
answered from that product's own page (agent/commerce/product_answer.py).  Never the
out-of-scope reply: the product was ours a turn ago, and so is the question."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session

from agent.commerce.product_answer import answer_question
from agent.context import TandemContext
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
    options = dict(variant.options or {}) if variant is not None else dict(
        card.get("options") or {})
    answer = answer_question(last_shopper_text(state), name=product.name,
                             description=product.description, tags=product.tags,
                             options=options)
    facts = {"answer": answer.as_facts(), "unanswered": not answer.found,
             "card": {"name": product.name, "price": card.get("price"), "options": options}}
    return {"facts": facts, "turns_without_progress": 0}
