"""The variant a shopper asked for by its options, or an honest no and the closest in stock.

"Do you have the Smart Watch in gold with a leather band?" names a product and options.  The
answer is one of: that exact variant, in stock (it is offered first); that variant, sold out
or not sellable; no such variant at all (or the product has no option for something asked).
In the last two cases the closest variants in stock are offered, nearest first, each with
how it differs from what was asked.  Which case holds is decided here, from the store's
rows and the stock read at answer time, never by the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agent.commerce.catalog import ProductView, VariantView
from agent.commerce.inventory import StockAt, soonest_source
from agent.commerce.options import (
    OptionVocabulary,
    Resolved,
    differences,
    tokens,
    variant_matches,
)
from agent.commerce.query import ShopperQuery, same_size

Status = Literal["in_stock", "sold_out", "not_offered", "over_budget"]


@dataclass(frozen=True)
class Difference:
    option: str
    have: str
    wanted: str


@dataclass(frozen=True)
class Offer:
    variant: VariantView
    source: StockAt
    differences: tuple[Difference, ...]
    """How this variant differs from what was asked (empty: it is exactly that)."""


@dataclass(frozen=True)
class VariantChoice:
    product: ProductView
    asked: dict[str, str]
    """Option -> value asked for, in the store's spelling (absent values included)."""
    missing: tuple[str, ...]
    """Shopper's words naming something this product has no option for at all."""
    status: Status
    offers: tuple[Offer, ...]
    """The exact variant first when it is in stock, then the closest in stock."""
    exact_price: float | None = None


def asked_options(vocabulary: OptionVocabulary, product_id: str,
                  query: ShopperQuery) -> Resolved:
    """The options the query asks of this product, its size included."""
    resolved = vocabulary.resolve(product_id, query.asks)
    if query.size is not None:
        sizes = [n for n in vocabulary.products.get(product_id, {}) if tokens(n) == ["size"]]
        if sizes and sizes[0] not in resolved.asked:
            values = vocabulary.products[product_id][sizes[0]]
            resolved.asked[sizes[0]] = next(
                (v for v in values if same_size(v, query.size)), query.size)
    return resolved


def _in_budget(variant: VariantView, query: ShopperQuery) -> bool:
    return not ((query.max_price is not None and variant.price > query.max_price)
                or (query.min_price is not None and variant.price < query.min_price))


def choose_variant(product: ProductView, variants: list[VariantView], resolved: Resolved,
                   query: ShopperQuery, stock: dict[str, list[StockAt]], region: str,
                   limit: int) -> VariantChoice:
    """Exact variant, or the honest no and the closest in stock, for one product.

    `variants` are every priced variant of the product, sellable or not (`available`)."""
    asked = resolved.asked
    sources = {v.id: soonest_source(stock.get(v.id, []), region) if v.available else None
               for v in variants}
    exact = [v for v in variants if not resolved.missing
             and not differences(dict(v.options), asked)]
    sellable_exact = [v for v in exact if sources[v.id] is not None]
    status: Status
    if sellable_exact and any(_in_budget(v, query) for v in sellable_exact):
        status = "in_stock"
    elif sellable_exact:
        status = "over_budget"
    elif exact:
        status = "sold_out"
    else:
        status = "not_offered"

    def diffs(v: VariantView) -> tuple[Difference, ...]:
        return tuple(Difference(n, have, want)
                     for n, have, want in differences(dict(v.options), asked))

    reference = min((v.price for v in exact), default=None)
    # A size the shopper wears is never swapped for another ("closest" keeps it).
    worn = {n: v for n, v in asked.items() if tokens(n) == ["size"]}
    in_stock = [(v, s) for v in variants if (s := sources[v.id]) is not None
                and _in_budget(v, query) and variant_matches(dict(v.options), worn)]
    ranked = sorted(in_stock, key=lambda vs: (
        len(diffs(vs[0])), abs(vs[0].price - reference) if reference else 0.0,
        vs[1].days_to(region), vs[0].price))
    offers = [Offer(v, source, diffs(v)) for v, source in ranked[:limit]]
    return VariantChoice(product=product, asked=dict(asked), missing=tuple(resolved.missing),
                         status=status, offers=tuple(offers), exact_price=reference)
