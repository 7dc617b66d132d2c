"""Discovery when the shopper names a product and its options: the exact variant first, or
an honest no with the closest variants in stock, each card saying how it differs.

The verdict (in stock, sold out, not offered) is decided by code (agent/commerce/
variant_choice.py) and said by the template reply (prompts/fallback.j2), never by the
model: a small model asked about a gold watch offers a black one as "yes, we have it".
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from sqlmodel import Session

from agent.commerce.alternatives import find_alternatives
from agent.commerce.catalog import ProductView, VariantView
from agent.commerce.inventory import InventoryUnavailable, soonest_source, stock_note
from agent.commerce.options import Resolved, colour_like, tokens
from agent.commerce.query import ShopperQuery
from agent.commerce.variant_choice import Difference, Offer, VariantChoice, choose_variant
from agent.context import TandemContext
from agent.evidence import Evidence, because_text

log = logging.getLogger(__name__)


def option_kind(name: str) -> str:
    """How an option reads in a sentence: "color" ("in gold"), "size" ("size M") or
    "other" ("leather band material")."""
    if colour_like(name) and tokens(name) == ["color"]:
        return "color"
    return "size" if tokens(name) == ["size"] else "other"


def asked_list(asked: dict[str, str]) -> list[dict[str, str]]:
    """The asked options for templates, colour first, then size, then the rest."""
    order = {"color": 0, "size": 1, "other": 2}
    items = [{"name": n, "value": v, "kind": option_kind(n)} for n, v in asked.items()]
    return sorted(items, key=lambda i: order[i["kind"]])


def describe(asked: dict[str, str]) -> str:
    """English words for asked options: "in Blue, size M", "in gold with leather band
    material and AMOLED display" (the cards' explanations are in English)."""
    items = asked_list(asked)
    head = [i["value"] for i in items if i["kind"] == "color"]
    head += [f"size {i['value']}" for i in items if i["kind"] == "size"]
    rest = [f"{i['value']} {i['name']}" for i in items if i["kind"] == "other"]
    text = "in " + ", ".join(head) if head else ""
    if rest:
        joined = rest[0] if len(rest) == 1 else ", ".join(rest[:-1]) + " and " + rest[-1]
        text = f"{text} with {joined}" if text else f"with {joined}"
    return text


def difference_text(diffs: tuple[Difference, ...]) -> str:
    return "; ".join(f"{d.have} instead of {d.wanted} ({d.option})" for d in diffs)


def _singular(category: str) -> str:
    if category.endswith(("pants", "shorts", "tights", "leggings", "ss")):
        return category
    return category[:-1] if category.endswith("s") else category


def _why_offered(choice: VariantChoice, offer: Offer) -> str:
    """Why a variant other than the one asked for is offered, and how it differs."""
    name, asked = choice.product.name, describe(choice.asked)
    if choice.missing:
        head = f"The {name} does not come with {', '.join(choice.missing)}"
    elif choice.status == "sold_out":
        head = f"The {name} is sold out {asked}"
    elif choice.status == "over_budget":
        head = f"The {name} {asked} is over your budget"
    else:
        head = f"We don't have the {name} {asked}"
    if offer.variant.product_id != choice.product.id:
        kind = _singular(choice.product.category.lower())
        return f"{head}; this is another {kind} at a similar price (${offer.variant.price:.2f})"
    if not offer.differences:
        return f"{head}; this one is the closest"
    if all(option_kind(d.option) == "color" for d in offer.differences):
        kind = _singular(choice.product.category.lower())
        return f"{head}; this is the same {kind} in {offer.differences[0].have}"
    return f"{head}; this one has {difference_text(offer.differences)}"


def _evidence(choice: VariantChoice, offer: Offer, region: str) -> list[Evidence]:
    different = {d.option for d in offer.differences}
    kept = {n: v for n, v in choice.asked.items() if n not in different}
    evidence: list[Evidence] = []
    if kept:
        evidence.append(Evidence(kind="option", source="message",
                                 detail=describe(kept)))
    exact = not offer.differences and not choice.missing and choice.status == "in_stock"
    if not exact:
        evidence.append(Evidence(kind="alternative", source="inventory",
                                 detail=_why_offered(choice, offer)))
    evidence.append(Evidence(kind="stock", source="inventory",
                             detail=stock_note(offer.source, region)))
    return evidence


def variant_cards(choice: VariantChoice, region: str,
                  names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The suggestion cards: the exact variant first when in stock, then the closest.
    `names` gives the names of other products offered as stand-ins."""
    cards = []
    for offer in choice.offers:
        evidence = _evidence(choice, offer, region)
        alternative = next((e.detail for e in evidence if e.kind == "alternative"), None)
        v = offer.variant
        cards.append({
            "product_id": v.product_id, "variant_id": v.id,
            "name": (names or {}).get(v.product_id, choice.product.name),
            "category": choice.product.category,
            "price": v.price, "currency": "USD", "size": v.size, "color": v.color,
            "options": dict(v.options), "in_stock": True,
            "stock_note": stock_note(offer.source, region),
            "because": because_text(evidence),
            "evidence": [e.model_dump() for e in evidence],
            "alternative": alternative,
            "differs": [{"option": d.option, "have": d.have, "wanted": d.wanted}
                        for d in offer.differences],
        })
    return cards


def variant_facts(choice: VariantChoice, cards: list[dict[str, Any]]) -> dict[str, Any]:
    """What the reply says, built from the choice: the verdict on the asked variant, then
    how each card differs."""
    product: ProductView = choice.product
    return {
        "product": product.name, "status": choice.status, "asked": asked_list(choice.asked),
        "missing": list(choice.missing),
        "price": cards[0]["price"] if cards and not cards[0]["differs"] else choice.exact_price,
        "exact": bool(cards) and not cards[0]["differs"] and choice.status == "in_stock",
        "closest": [{"name": c["name"], "price": c["price"], "differs": c["differs"]}
                    for c in cards if c["differs"] or c["product_id"] != product.id],
    }


def remembered_cards(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a later turn needs of the cards: "why?", "the second one", "is it waterproof?"."""
    keep = ("product_id", "variant_id", "name", "category", "price", "size", "color",
            "options", "because", "evidence")
    return [{k: c.get(k) for k in keep} for c in cards]


def _peers(ctx: TandemContext, choice: VariantChoice, query: ShopperQuery, region: str,
           price: float) -> tuple[list[Offer], dict[str, str]]:
    """Products of the same kind at a similar price that meet every constraint, in stock:
    the stand-ins when nothing of the product asked for is."""
    with Session(ctx.engine) as session:
        alternatives = [a for a in find_alternatives(
            session, wanted=choice.product, wanted_price=choice.exact_price or price,
            query=query, exclude=set()) if a.kind == "same_category"]
    stock = ctx.inventory.stock_for([v.id for a in alternatives for v in a.variants])
    offers: list[Offer] = []
    names: dict[str, str] = {}
    for alternative in alternatives:
        sourced = [(v, s) for v in alternative.variants
                   if (s := soonest_source(stock.get(v.id, []), region)) is not None]
        if sourced:
            variant, source = min(sourced, key=lambda vs: (vs[1].days_to(region), vs[0].price))
            offers.append(Offer(variant, source, ()))
            names[alternative.product.id] = alternative.product.name
        if len(offers) >= ctx.max_suggestions:
            break
    return offers, names


def variant_turn(ctx: TandemContext, query: ShopperQuery, product: ProductView,
                 variants: list[VariantView], resolved: Resolved, region: str,
                 facts: dict[str, Any]) -> dict[str, Any]:
    """The asked-for variant, or the honest no and the closest in stock (stock read now):
    the facts and cards of the turn."""
    try:
        stock = ctx.inventory.stock_for([v.id for v in variants])
        ctx.reads.append("inventory")
        choice = choose_variant(product, variants, resolved, query, stock, region,
                                ctx.max_suggestions)
        names: dict[str, str] = {}
        if not choice.offers:
            price = min((v.price for v in variants), default=0.0)
            peers, names = _peers(ctx, choice, query, region, price)
            choice = dataclasses.replace(choice, offers=tuple(peers))
    except InventoryUnavailable as exc:
        log.warning("inventory unavailable during discovery: %s", exc)
        return {"facts": facts | {"inventory_unavailable": True, "names": [product.name]},
                "suggestions": []}
    cards = variant_cards(choice, region, names)
    facts |= {"variant": variant_facts(choice, cards), "region": region,
              "products": [{k: c[k] for k in ("name", "price", "size", "color", "stock_note",
                                              "alternative")} for c in cards]}
    return {"facts": facts, "suggestions": cards}
