"""Catalogue search matches the words shoppers actually use: plurals and hyphenated names."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.commerce.catalog import search_catalog
from agent.commerce.query import parse_query


def _names(engine: Engine, text: str, *, semantic: bool = True) -> list[str]:
    with Session(engine) as session:
        found = search_catalog(session, parse_query(text), semantic=semantic)
    return [c.product.name for c in found]


def test_plural_shoes_find_the_shoes(engine: Engine) -> None:
    names = _names(engine, "trail running shoes")
    assert names and "Shoe" in names[0], names


def test_a_hyphenated_word_finds_its_products(engine: Engine) -> None:
    names = _names(engine, "a t-shirt for hiking")
    assert any("Tee" in name for name in names), names


def test_singular_and_plural_find_the_same_products(engine: Engine) -> None:
    """Keywords alone (meaning ranks the two phrasings a hair apart)."""
    assert (_names(engine, "rain jacket", semantic=False)
            == _names(engine, "rain jackets", semantic=False))
