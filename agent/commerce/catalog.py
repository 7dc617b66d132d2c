"""Catalogue search: keyword relevance over names, categories, tags and descriptions,
blended with semantic similarity (agent/commerce/semantic.py), ranked with climate sense,
and the shopper's hard constraints (size, colour, budget) applied to variants, never
relaxed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from agent.commerce.climate import Climate, season_penalty
from agent.commerce.query import ShopperQuery
from agent.commerce.semantic import similarities
from domain.tables import Product, Variant

# Where a term matched says how much it tells: a word in the name beats one in the blurb.
_FIELD_WEIGHTS = (("name", 3.0), ("category", 2.5), ("tags", 1.5), ("description", 1.0))
ONE_SIZE = frozenset({None, "", "ONE SIZE", "OS"})


@dataclass(frozen=True)
class ProductView:
    id: str
    name: str
    category: str
    season: str
    size_chart: dict[str, object] | None


@dataclass(frozen=True)
class VariantView:
    id: str
    product_id: str
    size: str | None
    color: str | None
    price: float

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.color, self.size) if part)


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


def _stem(word: str) -> str:
    """A light plural stemmer: "jackets"→"jacket", "shoes"→"shoe", "dresses"→"dress",
    "hoodies"→"hoody" (both sides of a match go through it, so only consistency matters)."""
    if len(word) > 4 and word.endswith(("ies", "ie")):
        return word[: -3 if word.endswith("s") else -2] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def catalog_words(text: str) -> set[str]:
    return {_stem(w) for w in text.lower().replace("-", " ").replace("/", " ").split()}


def query_terms(raw_terms: list[str] | tuple[str, ...]) -> list[str]:
    """The shopper's terms split like the catalogue's ("t-shirt" → "t", "shirt"); one-letter
    fragments only count when they are all there is."""
    words = [w for term in raw_terms for w in sorted(catalog_words(term))]
    meaningful = [w for w in words if len(w) > 1]
    return list(dict.fromkeys(meaningful or words))


def variant_meets(variant: VariantView, query: ShopperQuery) -> bool:
    """Hard constraints: the shopper said them, so a variant that misses one is never shown."""
    if query.max_price is not None and variant.price > query.max_price:
        return False
    if query.min_price is not None and variant.price < query.min_price:
        return False
    size = (variant.size or "").upper()
    if query.size is not None and size not in ONE_SIZE and size != query.size.upper():
        return False
    return not (
        query.color is not None
        and query.color.lower() not in (variant.color or "").lower().replace("gray", "grey")
    )


def product_names(session: Session) -> list[str]:
    """Every product name in the store (to check that a reply names only fetched ones)."""
    return list(session.exec(select(Product.name)).all())


def search_catalog(session: Session, query: ShopperQuery, *, limit: int = 10,
                   climate: Climate = "temperate", semantic: bool = True) -> list[Candidate]:
    """Products ranked by keyword relevance plus semantic similarity, winter gear after the
    rest for a shopper somewhere hot; only those with a variant meeting the constraints."""
    terms = query_terms(query.terms)
    if not terms:
        return []
    products = session.exec(select(Product)).all()
    variants_by_product: dict[str, list[Variant]] = defaultdict(list)
    for variant in session.exec(select(Variant).where(col(Variant.price_cents).is_not(None))).all():
        variants_by_product[variant.product_id].append(variant)
    sims = similarities(session, query.text, products) if semantic else None

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
        by_meaning = not matched and sims is not None and sims.is_match(product.id)
        if not matched and not by_meaning:
            continue
        views = [
            VariantView(id=v.id, product_id=v.product_id, size=v.size, color=v.color,
                        price=(v.price_cents or 0) / 100)
            for v in variants_by_product.get(product.id, []) if v.available
        ]
        # A colour word in the product's own name named the product ("Black Magic" candle),
        # so a variant without a colour of its own is not ruled out by it.
        by_name = replace(query, color=None) if query.color in fields["name"] else None
        fitting = tuple(sorted((v for v in views if variant_meets(v, query) or (
            by_name is not None and not v.color and variant_meets(v, by_name))),
            key=lambda v: v.price))
        if not fitting:
            continue
        relevance = score / len(terms) + (sims.bonus(product.id) if sims else 0.0)
        candidates.append(Candidate(
            product=ProductView(id=product.id, name=product.name, category=product.category,
                                season=product.season, size_chart=product.size_chart),
            variants=fitting,
            score=relevance - season_penalty(product.season, climate, query),
            matched_terms=tuple(matched), similar_to=query.text.strip() if by_meaning else None,
        ))
    candidates.sort(key=lambda c: (-c.score, c.variants[0].price))
    return candidates[:limit]
