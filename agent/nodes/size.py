"""Sizing advice: the size advisor (agent/commerce/sizing.py) on the product's size chart, its
fit feedback, and what the shopper says (usual size, height and weight, chest or bust)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session

from agent.commerce.catalog import search_catalog
from agent.commerce.fit_feedback import stored_records
from agent.commerce.measurements import parse_body
from agent.commerce.query import parse_query
from agent.commerce.sizing import FitKnowledge, Shopper, advise, order_run
from agent.context import TandemContext
from agent.nodes.text import last_shopper_text, shopper_texts
from agent.state import ConversationState


def _measures(state: ConversationState) -> dict[str, float]:
    """Measurements said anywhere in this conversation; a later message wins."""
    found: dict[str, float] = {}
    for text in shopper_texts(state):
        found |= parse_body(text)
    return found


def size(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    query = parse_query(last_shopper_text(state))
    usual = query.size or state.get("shopper_size")
    # The size is advice, not a filter, here: search without it so every size is seen.
    query.size = None
    # A shopper's own past fit feedback is personal data: only signed in, only with consent.
    own_id = ctx.customer_id if ctx.personalization else None
    with Session(ctx.engine) as session:
        candidates = search_catalog(session, query, limit=1)
        records = stored_records(session, item_id=candidates[0].product.id,
                                 customer_id=own_id) if candidates else []
    ctx.reads.append("catalog")
    if own_id and any(r.customer_id == own_id for r in records):
        ctx.reads.append("fit_history")
    facts: dict[str, Any] = {"usual_size": usual}
    if not candidates:
        return {"facts": facts | {"no_product": True}, "shopper_size": usual}
    product = candidates[0].product
    chart = dict(product.size_chart or {})
    fit = chart.get("fit") if isinstance(chart.get("fit"), str) else None
    chart_sizes = chart.get("sizes")
    run = order_run([str(s) for s in chart_sizes] if isinstance(chart_sizes, dict) else
                    [v.size for v in candidates[0].variants if v.size])
    facts |= {"product": product.name, "fit": fit or "true to size", "sizes": run}
    advice = advise(run=run, item_id=product.id, name=product.name, chart=chart,
                    knowledge=FitKnowledge.from_records(records),
                    shopper=Shopper(usual_size=usual.upper() if usual else None,
                                    customer_id=own_id, measures=_measures(state)))
    if advice is not None:
        facts |= {"advice": advice.size, "confidence": advice.confidence,
                  "because": advice.because, "basis": advice.basis}
    return {"facts": facts, "shopper_size": usual, "turns_without_progress": 0}
