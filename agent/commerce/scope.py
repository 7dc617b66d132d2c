"""Is a message about this store at all?  Read from the catalogue, never from a word list.

"Who formulated the theory of relativity" or "what size wipers does my car take" share no
word with what the store sells, so searching them only finds noise (a description that
happens to say "your", a tag that says "car camping").  A message is about the store when
it names a kind of product the store sells (a category word, or the head noun of a product
name), or when most of its words are the catalogue's (names, and tags: attributes and uses
such as "waterproof", "gift", "camping").  Descriptions are left out: their everyday words
("your", "most", "open") say nothing about the shop.  Words the catalogue lacks can still
mean one of its products ("something for a beach holiday"), so the semantic search
(agent/commerce/semantic.py) has the last word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlmodel import Session

from agent.commerce.catalog import query_terms
from agent.commerce.semantic import similarities
from agent.commerce.snapshot import Catalogue, catalogue, derived
from agent.commerce.words import catalog_words
from domain.tables import Product

# A message mostly made of the catalogue's words is about the store even when none of them
# is a kind of product ("lightweight and breathable"); one catalogue word among many others
# is not ("is it safe to travel to France", "set a timer to go off in 45 minutes").
MIN_STORE_SHARE = 0.5


@dataclass(frozen=True)
class StoreScope:
    """The catalogue's words, read once per turn, and the products for a semantic check."""

    kind_words: frozenset[str]
    """The kinds of product the store sells: words of its categories ("jacket", "tent") and
    the last word of each product name, its head noun ("... Merino Beanie", "... Anorak")."""
    name_words: frozenset[str]
    """Words of product names ("Cascade", "Ember", "Packable")."""
    attribute_words: frozenset[str]
    """Words of product tags: attributes and uses ("waterproof", "gift", "camping")."""
    products: tuple[Product, ...]
    vectors: tuple[tuple[str, ...], np.ndarray] | None = None
    """The products' search vectors in memory (agent/commerce/snapshot.py), if current."""

    def names_a_product(self, terms: Sequence[str]) -> bool:
        """Whether the shopper's terms name something the store sells (a kind or a name)."""
        return any(t in self.kind_words or t in self.name_words
                   for t in query_terms(list(terms)))

    def names_a_kind(self, terms: Sequence[str]) -> bool:
        """Whether the terms name a kind of product ("tents") or one product by a name word
        that is not also an attribute ("Cascade", not "waterproof"): a new search, not a
        question about the cards shown."""
        return any(t in self.kind_words or (t in self.name_words
                                            and t not in self.attribute_words)
                   for t in query_terms(list(terms)))

    def about_the_store(self, terms: Sequence[str]) -> bool:
        """Whether the shopper's terms read as a request to this store: a kind of product it
        sells, or mostly words its catalogue uses (names, attributes, uses)."""
        words = query_terms(list(terms))
        if not words:
            return False
        if any(t in self.kind_words for t in words):
            return True
        known = self.kind_words | self.name_words | self.attribute_words
        return sum(t in known for t in words) / len(words) >= MIN_STORE_SHARE

    def means_a_product(self, session: Session, text: str, *, loose: bool = False) -> bool:
        """Whether the semantic search finds a product close to `text` (False without the
        embedding model: then the catalogue's words decide alone).  `loose` for a message
        in another language than the catalogue's, whose similarities run lower."""
        sims = similarities(session, text, self.products, self.vectors)
        return sims is not None and any(
            sims.is_match(p.id) or (loose and sims.is_loose_match(p.id)) for p in self.products)


def _head_noun(name: str) -> str | None:
    """The last word of a product name, as the catalogue's words have it ("Flip-Flop" ->
    "flop"); numbers and sizes ("Camp Cookset 4-Piece" -> "piece") are left out."""
    words = name.lower().replace("-", " ").replace("/", " ").split()
    return next((next(iter(catalog_words(w))) for w in reversed(words) if w.isalpha()), None)


def store_scope(session: Session) -> StoreScope:
    """The catalogue's words, worked out once per catalogue snapshot (every turn's router
    asks)."""
    return derived(catalogue(session), _scope_of)


def _scope_of(snapshot: Catalogue) -> StoreScope:
    products = snapshot.products
    kinds: set[str] = set()
    names: set[str] = set()
    tags: set[str] = set()
    for product in products:
        kinds |= catalog_words(product.category)
        if head := _head_noun(product.name):
            kinds.add(head)
        names |= catalog_words(product.name)
        tags |= catalog_words(product.tags)
    return StoreScope(kind_words=frozenset(kinds), name_words=frozenset(names),
                      attribute_words=frozenset(tags), products=products,
                      vectors=snapshot.vectors)
