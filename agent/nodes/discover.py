"""Product discovery: search the catalogue, then check live stock right before answering."""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session

from agent.commerce.catalog import Candidate, VariantView, search_catalog
from agent.commerce.inventory import (
    InventoryUnavailable,
    StockAt,
    soonest_source,
    stock_note,
)
from agent.commerce.query import ShopperQuery, parse_query
from agent.context import TandemContext
from agent.explain import Evidence, because_text
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState

log = logging.getLogger(__name__)


def _evidence(query: ShopperQuery, candidate: Candidate, variant: VariantView,
              source: StockAt, region: str, size_from: str) -> list[Evidence]:
    evidence = [Evidence(kind="shopper_words", source="message",
                         detail=" ".join(candidate.matched_terms))]
    if query.max_price is not None:
        evidence.append(Evidence(kind="budget", source="message",
                                 detail=query.constraint_phrases()[0]))
    if query.color and variant.color:
        evidence.append(Evidence(kind="color", source="message", detail=f"in {query.color}"))
    if query.size and variant.size:
        evidence.append(Evidence(kind="size", source=size_from,  # type: ignore[arg-type]
                                 detail=f"size {variant.size}"))
    evidence.append(Evidence(kind="stock", source="inventory",
                             detail=stock_note(source, region)))
    return evidence


def discover(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    query = parse_query(last_shopper_text(state))
    size_from = "message"
    if query.size is None and state.get("shopper_size"):
        query.size, size_from = state.get("shopper_size"), "conversation"
    with Session(ctx.engine) as session:
        candidates = search_catalog(session, query, limit=ctx.max_suggestions * 3)
    ctx.reads.append("catalog")
    facts: dict[str, Any] = {"query": query.text, "constraints": {
        "size": query.size, "color": query.color, "max_price": query.max_price}}
    if not candidates:
        return {"facts": facts | {"no_match": True}, "suggestions": [],
                "shopper_size": query.size or state.get("shopper_size"),
                "turns_without_progress": state.get("turns_without_progress", 0) + 1}

    # Stock is read now, after the search, so a flash sale that emptied a shelf while we
    # searched is never offered.
    variant_ids = [v.id for c in candidates for v in c.variants]
    try:
        stock = ctx.inventory.stock_for(variant_ids)
        ctx.reads.append("inventory")
    except InventoryUnavailable as exc:
        log.warning("inventory unavailable during discovery: %s", exc)
        return {"facts": facts | {"inventory_unavailable": True,
                                  "names": [c.product.name for c in candidates[:3]]},
                "suggestions": []}

    suggestions: list[dict[str, Any]] = []
    sold_out: list[str] = []
    for candidate in candidates:
        sourced = [(v, soonest_source(stock.get(v.id, []), ctx.region))
                   for v in candidate.variants]
        in_stock = [(v, s) for v, s in sourced if s is not None]
        if not in_stock:
            sold_out.append(candidate.product.name)
            continue
        variant, source = min(in_stock, key=lambda vs: (vs[1].days_to(ctx.region), vs[0].price))
        assert source is not None
        evidence = _evidence(query, candidate, variant, source, ctx.region, size_from)
        suggestions.append({
            "product_id": candidate.product.id, "variant_id": variant.id,
            "name": candidate.product.name, "price": variant.price, "currency": "USD",
            "size": variant.size, "color": variant.color, "in_stock": True,
            "stock_note": stock_note(source, ctx.region),
            "because": because_text(evidence),
            "evidence": [e.model_dump() for e in evidence],
        })
        if len(suggestions) >= ctx.max_suggestions:
            break
    facts |= {"products": [{k: s[k] for k in ("name", "price", "size", "color", "stock_note")}
                           for s in suggestions],
              "sold_out": sold_out[:3]}
    return {"facts": facts, "suggestions": suggestions,
            "shopper_size": query.size or state.get("shopper_size"),
            "turns_without_progress": 0 if suggestions else
            state.get("turns_without_progress", 0) + 1}
