"""A product's name is not the shopper's mood or intent: a shopper asking for the "Broken
Heart Necklace" stays with the assistant, "Slim Fit Chinos" is a search, not a fit question,
and "Track Pants" are not an order to track.  The same words outside a product name still
count (a shopper who is heartbroken over a lost parcel goes to a person)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from agent.commerce.product_names import mask_product_names
from api.importers.loader import import_store
from domain.db import make_engine
from tests.agent.chat import context, turns

NAMES = ("Broken Heart Necklace", "Slim Fit Chinos", "Track Pants", "Refund Policy Poster",
         "Angry Cat Sticker", "Backpack")


@pytest.fixture
def gift_shop(tmp_path: Path) -> Engine:
    """A small store whose product names hold the words the rules and the classifier react
    to (anger, heartbreak, refunds, fit, tracking)."""
    products: list[dict[str, Any]] = [
        {"id": f"p{n}", "name": name, "category": "gifts", "tags": "",
         "variants": [{"id": f"v{n}", "price": 20 + n, "color": "black", "size": "M",
                       "stock": {"W1": 5}}]}
        for n, name in enumerate(NAMES)]
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"locations": [{"id": "W1", "name": "Depot", "kind": "warehouse",
                                               "region": "US-West", "ship_days": 2}],
                                "products": products, "customers": [], "orders": []}))
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    SQLModel.metadata.create_all(engine)
    import_store(engine, path)
    return engine


@pytest.mark.parametrize("text", [
    "do you have the Broken Heart Necklace in black?",
    "I'd like the slim fit chinos in M",
    "show me the Track Pants",
    "is the Refund Policy Poster in stock?",
    "I love the Angry Cat Sticker, do you have it?",
])
async def test_a_product_name_is_searched_for_not_read_as_mood_or_intent(
        gift_shop: Engine, text: str) -> None:
    [state] = await turns(context(gift_shop), text)
    assert state["intent"] == "discovery", (text, state["intent"], state.get("verdict"))
    assert state["route"] == "assistant"
    names = [s["name"] for s in state["suggestions"]]
    assert names and names[0].lower() in text.lower(), names


async def test_the_same_words_outside_a_name_still_reach_a_person(gift_shop: Engine) -> None:
    [state] = await turns(context(gift_shop),
                          "I am furious, my parcel is lost and I want a refund now")
    assert state["intent"] == "handoff"


def test_only_whole_names_of_two_or_more_words_are_masked() -> None:
    assert mask_product_names("the broken  heart necklace please", NAMES) == "the necklace please"
    # Part of a name, or a one-word name, is the shopper's own words.
    assert mask_product_names("my heart is broken", NAMES) == "my heart is broken"
    assert mask_product_names("a backpack", NAMES) == "a backpack"
    assert mask_product_names("Track Pantsuit", NAMES) == "Track Pantsuit"
