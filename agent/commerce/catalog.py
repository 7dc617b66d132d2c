"""Catalogue search: keyword relevance over names, categories, tags and descriptions,
blended with semantic similarity (agent/commerce/semantic.py), ranked with climate sense,
and the shopper's hard constraints (size, budget, every option value they named) applied
to variants, never relaxed.  A product the shopper names by its own name or kind comes
before anything found by other words or by meaning alone: asked for a mechanical keyboard,
the keyboard comes first, not a gaming mouse that shares its "RGB" and "wired"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, select

from agent.commerce.climate import Climate, season_penalty
from agent.commerce.options import tokens
from agent.commerce.query import ShopperQuery, same_size
from agent.commerce.semantic import similarities
from agent.commerce.snapshot import Catalogue, catalogue, derived
from agent.commerce.views import ProductView, VariantView, view_of
from agent.commerce.words import catalog_words
from domain.tables import Product

# Where a term matched says how much it tells: a word in the name beats one in the blurb.
_FIELD_WEIGHTS = (("name", 3.0), ("category", 2.5), ("tags", 1.5), ("description", 1.0))
ONE_SIZE = frozenset({None, "", "ONE SIZE", "OS"})
# A product named by all the words of its name, or by a word no other product's name or
# category has ("Cascade", "Laptop"), outranks every keyword and meaning score (at most
# 3 for keywords plus about 2 for meaning).
NAMED_WHOLE = 8.0
NAMED_BY_OWN_WORD = 6.0
__all__ = ["ProductView", "VariantView", "view_of"]  # where most callers import them from


@dataclass(frozen=True)
class Candidate:
    """A product that matches the shopper's words, with the variants that meet every
    hard constraint (best first) and the terms that matched."""

    product: ProductView
    variants: tuple[VariantView, ...]
    score: float
    matched_terms: tuple[str, ...]
    similar_to: str | None = None
    """The shopper's words, when the product was found by meaning rather than by keyword."""
    named: bool = False
    """The shopper named this product (its whole name, or a word only it has)."""


def query_terms(raw_terms: list[str] | tuple[str, ...]) -> list[str]:
    """The shopper's terms split like the catalogue's ("t-shirt" → "t", "shirt"); one-letter
    fragments only count when they are all there is."""
    words = [w for term in raw_terms for w in sorted(catalog_words(term))]
    meaningful = [w for w in words if len(w) > 1]
    return list(dict.fromkeys(meaningful or words))


def variant_meets(variant: VariantView, query: ShopperQuery,
                  product_words: frozenset[str] = frozenset()) -> bool:
    """Hard constraints: the shopper said them, so a variant that misses one is never shown.
    Option words that are part of the product's own name ("wireless" of "Wireless
    Earbuds", given as `product_words`) name the product, not an option."""
    if query.max_price is not None and variant.price > query.max_price:
        return False
    if query.min_price is not None and variant.price < query.min_price:
        return False
    size = (variant.size or "").upper()
    if query.size is not None and size not in ONE_SIZE and not same_size(size, query.size):
        return False
    values = [v for _, v in variant.options] or [x for x in (variant.color, variant.size) if x]
    return all(any(ask.accepts(v) for v in values) for ask in query.asks
               if not set(ask.words.split()) <= product_words)


def naming(snapshot: Catalogue, terms: list[str]) -> dict[str, float]:
    """The bonus of each of the catalogue's products the terms name.

    Named whole: the terms hold the product's head noun (the last word of its name) and
    every word of its name that is no other product's tag or category word: "cascade rain
    jacket" names the Cascade Waterproof Rain Jacket ("waterproof" tags half the shop),
    "waterproof rain jacket" names no product.  Named by its own word: a word of its name
    that no other product's name, category or tags have ("Laptop", "bulb"; not "dry" of the
    Quick-Dry Hiking Tee, which other products are tagged with)."""
    asked = set(terms)
    bonus: dict[str, float] = {}
    for product_id, own, head, distinctive, unique in derived(snapshot, _naming_facts):
        if own and (own <= asked or (head in asked and distinctive - {head}
                                     and distinctive <= asked)):
            bonus[product_id] = NAMED_WHOLE
        elif unique & asked:
            bonus[product_id] = NAMED_BY_OWN_WORD
    return bonus


_NamingFacts = list[tuple[str, frozenset[str], str | None, frozenset[str], frozenset[str]]]


def _naming_facts(snapshot: Catalogue) -> _NamingFacts:
    """Per product: id, own name words, head noun, distinctive words, words no other
    product has.  Worked out once per catalogue snapshot (`derived`): it took ~4 ms of
    every search."""
    products = snapshot.products
    names = {p.id: catalog_words(p.name) - {""} for p in products}
    described = {p.id: catalog_words(p.category) | catalog_words(p.tags) for p in products}
    shared = Counter(w for p in products for w in names[p.id] | described[p.id])
    generic = Counter(w for p in products for w in described[p.id] - names[p.id])
    facts: _NamingFacts = []
    for product in products:
        own = frozenset(w for w in names[product.id] if len(w) > 1 and not w.isdigit())
        head = next((w for w in reversed(product.name.lower().replace("-", " ").split())
                     if w.isalpha()), None)
        head = next(iter(catalog_words(head))) if head else None
        distinctive = frozenset(w for w in own if not generic[w] or w == head)
        facts.append((product.id, own, head, distinctive,
                      frozenset(w for w in own if shared[w] == 1)))
    return facts


def product_names(session: Session) -> list[str]:
    """Every product name in the store (to check that a reply names only fetched ones)."""
    return list(session.exec(select(Product.name)).all())


def _product_view(product: Product) -> ProductView:
    return ProductView(id=product.id, name=product.name, category=product.category,
                       season=product.season, size_chart=product.size_chart)


def named_products(session: Session, query: ShopperQuery,
                   ) -> list[tuple[ProductView, list[VariantView]]]:
    """The products the shopper named, best named first, each with every priced variant
    (sellable or not): what the asked-for variant is looked up in."""
    terms = query_terms(query.terms)
    if not terms:
        return []
    snapshot = catalogue(session)
    bonus = naming(snapshot, terms)
    if not bonus:
        return []
    named = sorted((p for p in snapshot.products if p.id in bonus),
                   key=lambda p: (-bonus[p.id], -len(catalog_words(p.name) & set(terms)), p.id))
    return [(_product_view(p), list(snapshot.variants.get(p.id, ()))) for p in named]


def search_catalog(session: Session, query: ShopperQuery, *, limit: int = 10,
                   climate: Climate = "temperate", semantic: bool = True) -> list[Candidate]:
    """Products ranked by naming, keyword relevance and semantic similarity, winter gear
    after the rest for a shopper somewhere hot; only those with a variant meeting the
    constraints."""
    terms = query_terms(query.terms)
    if not terms:
        return []
    snapshot = catalogue(session)  # in memory while the catalogue is unchanged
    products = snapshot.products
    sims = similarities(session, query.text, products, snapshot.vectors) if semantic else None
    named = naming(snapshot, terms)

    candidates: list[Candidate] = []
    for product in products:
        fields = {
            "name": catalog_words(product.name),
            "category": catalog_words(product.category),
            "tags": catalog_words(product.tags),
            "description": catalog_words(product.description),
        }
        score = 0.0
        matched: list[str] = []
        for term in terms:
            weight = max((w for name, w in _FIELD_WEIGHTS if term in fields[name]), default=0.0)
            if weight:
                score += weight
                matched.append(term)
        by_meaning = not matched and sims is not None and (
            sims.is_match(product.id)
            or (query.language != "en" and sims.is_loose_match(product.id)))
        if not matched and not by_meaning:
            continue
        views = [v for v in snapshot.variants.get(product.id, ()) if v.available]
        own_words = frozenset(tokens(f"{product.name} {product.category}"))
        fitting = tuple(sorted((v for v in views if variant_meets(v, query, own_words)),
                               key=lambda v: v.price))
        if not fitting:
            continue
        relevance = (score / len(terms) + (sims.bonus(product.id) if sims else 0.0)
                     + named.get(product.id, 0.0))
        candidates.append(Candidate(
            product=_product_view(product), variants=fitting,
            score=relevance - season_penalty(product.season, climate, query),
            matched_terms=tuple(matched), similar_to=query.text.strip() if by_meaning else None,
            named=product.id in named,
        ))
    candidates.sort(key=lambda c: (-c.score, c.variants[0].price))
    return candidates[:limit]
