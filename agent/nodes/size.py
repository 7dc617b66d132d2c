"""Sizing advice from the product's size chart, its fit note and the shopper's usual size."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session

from agent.commerce.catalog import search_catalog
from agent.commerce.query import parse_query
from agent.context import TandemContext
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState

_LETTER_RUN = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"]


def _size_run(chart: dict[str, Any] | None, sizes: list[str]) -> list[str]:
    if chart and isinstance(chart.get("sizes"), dict):
        return [str(s) for s in chart["sizes"]]
    if all(s in _LETTER_RUN for s in sizes):
        return sorted(set(sizes), key=_LETTER_RUN.index)
    try:
        return sorted(set(sizes), key=float)
    except ValueError:
        return sorted(set(sizes))


def recommend_size(usual: str, run: list[str], fit: str | None) -> tuple[str, str]:
    """The size to buy and a confidence: shift one size when the product runs small/large."""
    if usual not in run:
        return usual, "low"
    index = run.index(usual)
    if fit == "runs small" and index + 1 < len(run):
        return run[index + 1], "medium"
    if fit == "runs large" and index > 0:
        return run[index - 1], "medium"
    return usual, "high"


def size(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    query = parse_query(last_shopper_text(state))
    usual = query.size or state.get("shopper_size")
    # The size is advice, not a filter, here: search without it so every size is seen.
    query.size = None
    with Session(ctx.engine) as session:
        candidates = search_catalog(session, query, limit=1)
    ctx.reads.append("catalog")
    facts: dict[str, Any] = {"usual_size": usual}
    if not candidates:
        return {"facts": facts | {"no_product": True}, "shopper_size": usual}
    product = candidates[0].product
    chart = product.size_chart or {}
    fit = chart.get("fit") if isinstance(chart.get("fit"), str) else None
    sizes = [v.size for v in candidates[0].variants if v.size]
    run = _size_run(chart, sizes)
    facts |= {"product": product.name, "fit": fit or "true to size", "sizes": run}
    if usual:
        advice, confidence = recommend_size(usual.upper(), [s.upper() for s in run], fit)
        because = f"Because you usually wear {usual}"
        because += f" and the {product.name} {fit}." if fit and advice != usual else "."
        facts |= {"advice": advice, "confidence": confidence, "because": because}
    return {"facts": facts, "shopper_size": usual, "turns_without_progress": 0}
