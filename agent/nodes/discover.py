"""Product discovery: search the catalogue, then check live stock right before answering."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from langgraph.runtime import Runtime
from sqlmodel import Session

from agent.commerce.alternatives import Alternative, find_alternatives
from agent.commerce.catalog import (
    Candidate,
    ProductView,
    VariantView,
    named_products,
    search_catalog,
)
from agent.commerce.climate import shopper_climate
from agent.commerce.inventory import (
    InventoryUnavailable,
    StockAt,
    soonest_source,
    stock_note,
)
from agent.commerce.options import vocabulary
from agent.commerce.query import ShopperQuery, find_postcode, parse_query
from agent.commerce.regions import shopper_region
from agent.commerce.variant_choice import asked_options
from agent.context import TandemContext
from agent.evidence import Evidence, because_text
from agent.nodes.discover_variant import remembered_cards, variant_turn
from agent.nodes.text import last_shopper_text, shopper_texts
from agent.personal import load_personal
from agent.state import ConversationState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pick:
    """One suggestion chosen from the first stock read, before its answer-time check."""

    product: ProductView
    variant: VariantView
    matched_terms: tuple[str, ...]
    alternative: str | None = None
    """Why this stands in for a sold-out product, when it does."""
    similar_to: str | None = None
    """The shopper's words, when the product was found by meaning, not by keyword."""


def _evidence(query: ShopperQuery, pick: _Pick, source: StockAt, region: str,
              size_from: str) -> list[Evidence]:
    variant = pick.variant
    evidence = []
    if pick.matched_terms:
        evidence.append(Evidence(kind="shopper_words", source="message",
                                 detail=" ".join(pick.matched_terms)))
    elif pick.similar_to:
        evidence.append(Evidence(kind="similar", source="catalog",
                                 detail=f'"{pick.similar_to[:80]}"'))
    if query.max_price is not None:
        evidence.append(Evidence(kind="budget", source="message",
                                 detail=query.constraint_phrases()[0]))
    # An other-colour stand-in does not meet the colour asked for: never claim it does.
    if query.color and variant.color and query.color.lower() in variant.color.lower():
        evidence.append(Evidence(kind="color", source="message", detail=f"in {query.color}"))
    if query.size and variant.size:
        evidence.append(Evidence(kind="size", source=size_from,
                                 detail=f"size {variant.size}"))
    if pick.alternative:
        evidence.append(Evidence(kind="alternative", source="inventory",
                                 detail=pick.alternative))
    evidence.append(Evidence(kind="stock", source="inventory",
                             detail=stock_note(source, region)))
    return evidence


def _soonest(variants: tuple[VariantView, ...], stock: dict[str, list[StockAt]],
             region: str) -> VariantView | None:
    sourced = [(v, soonest_source(stock.get(v.id, []), region)) for v in variants]
    in_stock = [(v, s) for v, s in sourced if s is not None]
    if not in_stock:
        return None
    return min(in_stock, key=lambda vs: (vs[1].days_to(region), vs[0].price))[0]


def _singular(category: str) -> str:
    """"rain jackets" -> "rain jacket"; words that are plural in English stay so."""
    if category.endswith(("pants", "shorts", "tights", "leggings", "ss")):
        return category
    return category[:-1] if category.endswith("s") else category


def _why_alternative(alt: Alternative, wanted: Candidate, query: ShopperQuery,
                     variant: VariantView) -> str:
    gone = wanted.variants[0]
    where = " in " + ", ".join(p for p in (
        gone.color if query.color else None, f"size {gone.size}" if query.size else None) if p)
    head = f"The {wanted.product.name} is sold out{where if where != ' in ' else ''}"
    if alt.kind == "other_colour":
        return f"{head}; this is the same {_singular(wanted.product.category)} in {variant.color}"
    return (f"{head}; this is another {_singular(alt.product.category)} at a similar price "
            f"(${variant.price:.2f})")


def _pick(query: ShopperQuery, candidates: list[Candidate], alternatives: list[Alternative],
          stock: dict[str, list[StockAt]], region: str, limit: int,
          ) -> tuple[list[_Pick], list[str]]:
    picks: list[_Pick] = []
    sold_out: list[str] = []
    best = candidates[0]
    if _soonest(best.variants, stock, region) is None:
        # The product that matched best is gone in the wanted size/colour: offer the nearest
        # stand-in of each kind first, and say why.
        for kind in ("other_colour", "same_category"):
            for alt in (a for a in alternatives if a.kind == kind):
                if (variant := _soonest(alt.variants, stock, region)) is not None:
                    terms = best.matched_terms if kind == "other_colour" else ()
                    picks.append(_Pick(alt.product, variant, terms,
                                       _why_alternative(alt, best, query, variant)))
                    break
    for candidate in candidates:
        variant = _soonest(candidate.variants, stock, region)
        if variant is None:
            sold_out.append(candidate.product.name)
        elif all(p.product.id != candidate.product.id for p in picks):
            picks.append(_Pick(candidate.product, variant, candidate.matched_terms,
                               similar_to=candidate.similar_to))
    return picks[:limit], sold_out


def discover(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    postcodes = [p for text in shopper_texts(state) if (p := find_postcode(text))]
    with Session(ctx.engine) as session:
        vocab = vocabulary(session)
        said = parse_query(last_shopper_text(state), vocab, state.get("language") or "en")
        # A follow-up ("no, the blue one") searches the last query with its constraints
        # laid over it (the router built it); anything else is searched as said.
        refined = state.get("refined_query")
        query = ShopperQuery(**refined) if refined else said
        size_from = "message" if said.size or not refined else "conversation"
        if query.size is None and state.get("shopper_size"):
            query.size, size_from = state.get("shopper_size"), "conversation"
        climate, climate_from_profile = shopper_climate(
            session=session, postcodes=postcodes, customer_id=ctx.customer_id,
            use_profile=ctx.personalization)
        region, region_from = shopper_region(
            session=session, postcodes=postcodes, customer_id=ctx.customer_id,
            use_profile=ctx.personalization, default=ctx.region)
        # A product named with its options ("the Smart Watch in gold with a leather band"):
        # that exact variant, or an honest no and the closest in stock.
        named = named_products(session, query) if query.asks or query.size else []
        resolved = asked_options(vocab, named[0][0].id, query) if named else None
        if named and resolved is not None and (resolved.asked or resolved.missing):
            product, variants = named[0]
            candidates, alternatives = [], []
        else:
            named = []
            candidates = search_catalog(session, query, limit=ctx.max_suggestions * 3,
                                        climate=climate)
            alternatives = find_alternatives(
                session, wanted=candidates[0].product,
                wanted_price=candidates[0].variants[0].price,
                query=query, exclude=set()) if candidates else []
    if refined and said.color:
        # A shopper who has just corrected the colour ("no, I meant the blue one") said the
        # colour is the point: the same product in another colour (perhaps the one they
        # turned down) is no stand-in.  Peers of the same kind in their colour still are.
        alternatives = [a for a in alternatives if a.kind != "other_colour"]
    ctx.reads.append("catalog")
    if region_from == "profile" or climate_from_profile:
        ctx.reads.append("customer_profile")
    facts: dict[str, Any] = {"query": query.text, "constraints": {
        "size": query.size, "color": query.color, "max_price": query.max_price}}
    remembered = {"last_query": asdict(query)}  # what a follow-up refines
    if named and resolved is not None:
        turn = variant_turn(ctx, query, product, variants, resolved, region, facts)
        cards = turn["suggestions"]
        return remembered | turn | {
            "shopper_size": query.size or state.get("shopper_size"),
            "last_suggestions": remembered_cards(cards) if cards else state.get(
                "last_suggestions", []),
            "turns_without_progress": 0 if cards else
            state.get("turns_without_progress", 0) + 1}
    if not candidates:
        return remembered | {
            "facts": facts | {"no_match": True}, "suggestions": [],
            "shopper_size": query.size or state.get("shopper_size"),
            "turns_without_progress": state.get("turns_without_progress", 0) + 1}

    # Stock is read now, after the search, so a flash sale that emptied a shelf while we
    # searched is never offered; the chosen few are then read once more right before the
    # answer, so one sold while we chose is dropped too.
    variant_ids = [v.id for c in candidates for v in c.variants]
    variant_ids += [v.id for a in alternatives for v in a.variants]
    personal = load_personal(ctx)  # None, and nothing read, without consent or sign-in
    try:
        stock = ctx.inventory.stock_for(variant_ids)
        if personal is not None:
            candidates = personal.prefer_sizes(candidates, stock, query)
        picks, sold_out = _pick(query, candidates, alternatives, stock, region,
                                ctx.max_suggestions)
        confirmed = ctx.inventory.stock_for([p.variant.id for p in picks]) if picks else {}
        ctx.reads.append("inventory")
    except InventoryUnavailable as exc:
        log.warning("inventory unavailable during discovery: %s", exc)
        return remembered | {
            "facts": facts | {"inventory_unavailable": True,
                              "names": [c.product.name for c in candidates[:3]]},
            "suggestions": []}

    suggestions: list[dict[str, Any]] = []
    for pick in picks:
        source = soonest_source(confirmed.get(pick.variant.id, []), region)
        if source is None:
            log.info("variant %s sold out between the search and the answer", pick.variant.id)
            sold_out.append(pick.product.name)
            continue
        evidence = _evidence(query, pick, source, region, size_from)
        if personal is not None:
            evidence[-1:-1] = personal.evidence_for(pick.product.id, pick.variant.size)
        suggestions.append({
            "product_id": pick.product.id, "variant_id": pick.variant.id,
            "name": pick.product.name, "category": pick.product.category,
            "price": pick.variant.price, "currency": "USD",
            "size": pick.variant.size, "color": pick.variant.color,
            "options": dict(pick.variant.options), "in_stock": True,
            "stock_note": stock_note(source, region),
            "because": because_text(evidence),
            "evidence": [e.model_dump() for e in evidence],
            "alternative": pick.alternative,
        })
    facts |= {"products": [{k: s[k] for k in ("name", "price", "size", "color", "stock_note",
                                               "alternative")}
                           for s in suggestions],
              "sold_out": list(dict.fromkeys(sold_out))[:3], "region": region}
    if personal is not None:
        personal.remember(ctx, query, size_from, suggestions)
    # Kept past this turn (the router resets `suggestions`) so "why?" can be answered.
    explained = {"last_suggestions": remembered_cards(suggestions)} if suggestions else {}
    return remembered | explained | {
        "facts": facts, "suggestions": suggestions,
        "shopper_size": query.size or state.get("shopper_size"),
        "turns_without_progress": 0 if suggestions else
        state.get("turns_without_progress", 0) + 1}
