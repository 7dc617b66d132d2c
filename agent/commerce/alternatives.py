"""Nearest alternatives when the product the shopper wants is gone in their size or colour.

Two kinds, nearest first: the same product in another colour (same size, same budget), then
another product of the same category at a similar price that meets every stated constraint.
Only candidates are found here; whether they are in stock is read by the caller at answer
time, like every other suggestion.  Products and variants come from the process's copy of
the catalogue (agent/commerce/snapshot.py), current to the catalogue's version, not from a
query per search.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from agent.commerce.catalog import ProductView, VariantView, variant_meets
from agent.commerce.options import colour_like
from agent.commerce.query import ShopperQuery
from agent.commerce.snapshot import Catalogue, catalogue
from domain.tables import Product

# "Similar price": within this share of the sold-out product's price, either way.
SIMILAR_PRICE_SHARE = 0.3


@dataclass(frozen=True)
class Alternative:
    kind: Literal["other_colour", "same_category"]
    product: ProductView
    variants: tuple[VariantView, ...]
    """Variants that could stand in (meeting the constraints that still apply), best first."""


def _product_view(product: Product) -> ProductView:
    return ProductView(id=product.id, name=product.name, category=product.category,
                       season=product.season, size_chart=product.size_chart)


def _sellable(snapshot: Catalogue, product_ids: list[str]) -> list[VariantView]:
    """The priced variants the store marks sellable, of these products."""
    return [v for pid in product_ids for v in snapshot.variants.get(pid, ()) if v.available]


def find_alternatives(session: Session, *, wanted: ProductView, wanted_price: float,
                      query: ShopperQuery, exclude: set[str]) -> list[Alternative]:
    """Alternatives to `wanted` (sold out in the shopper's size/colour), nearest first.

    `exclude` holds product ids already on offer, so an alternative adds something new.
    """
    found: list[Alternative] = []
    snapshot = catalogue(session)
    if query.color is not None:
        # Colour is the one constraint relaxed, and only for the very product they wanted.
        relaxed = dataclasses.replace(query, color=None, options=[
            a.as_dict() for a in query.asks if not any(colour_like(n) for n in a.names())])
        others = tuple(sorted(
            (v for v in _sellable(snapshot, [wanted.id])
             if variant_meets(v, relaxed) and not variant_meets(v, query)),
            key=lambda v: v.price))
        if others:
            found.append(Alternative("other_colour", wanted, others))
    low = wanted_price * (1 - SIMILAR_PRICE_SHARE)
    high = wanted_price * (1 + SIMILAR_PRICE_SHARE)
    peers = [p for p in snapshot.products if p.category == wanted.category
             and p.id != wanted.id and p.id not in exclude]
    by_product: dict[str, list[VariantView]] = {}
    for v in _sellable(snapshot, [p.id for p in peers]):
        if variant_meets(v, query) and low <= v.price <= high:
            by_product.setdefault(v.product_id, []).append(v)
    for product in sorted(peers, key=lambda p: p.id):
        variants = by_product.get(product.id)
        if variants:
            found.append(Alternative("same_category", _product_view(product),
                                     tuple(sorted(variants, key=lambda v: v.price))))
    # Among same-category peers, the closest price first (then id, for a stable order).
    head = [a for a in found if a.kind == "other_colour"]
    tail = sorted((a for a in found if a.kind == "same_category"),
                  key=lambda a: (abs(a.variants[0].price - wanted_price), a.product.id))
    return head + tail
