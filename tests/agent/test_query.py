"""Reading constraints out of what shoppers type."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.commerce.options import OptionVocabulary, vocabulary
from agent.commerce.query import find_email, find_order_id, find_postcode, parse_query


@pytest.fixture
def demo_words(engine: Engine) -> OptionVocabulary:
    """The demo store's option vocabulary: colours come from its variants, not a list."""
    with Session(engine) as session:
        return vocabulary(session)


@pytest.mark.parametrize(("text", "size", "color", "low", "high"), [
    ("waterproof hiking jacket under $200, size M", "M", None, None, 200.0),
    ("blue rain jacket $50-$120 medium", "M", "blue", 50.0, 120.0),
    ("I'm usually a 9.5 in boots", "9.5", None, None, None),
    ("grey fleece less than 80 dollars in XL", "XL", "grey", None, 80.0),
    ("Gray beanie", None, "grey", None, None),
    ("does the Ember down jacket run small?", None, None, None, None),  # fit, not their size
])
def test_constraints(text: str, size: str | None, color: str | None, low: float | None,
                     high: float | None, demo_words: OptionVocabulary) -> None:
    query = parse_query(text, demo_words)
    assert (query.size, query.color, query.min_price, query.max_price) == (size, color, low, high)


def test_without_the_stores_vocabulary_no_colour_is_read() -> None:
    assert parse_query("blue rain jacket size M").color is None


def test_terms_drop_filler_and_constraints() -> None:
    assert parse_query("waterproof hiking jacket under $200, size M").terms == [
        "waterproof", "hiking", "jacket"]


def test_order_ids_emails_and_postcodes() -> None:
    text = "where is #r10023? my email is Jane.Doe@Example.com, zip 97201"
    assert find_order_id(text) == "#R10023"
    assert find_email(text) == "jane.doe@example.com"
    assert find_postcode(text) == "97201"
    assert find_postcode("order #W1234567") is None
