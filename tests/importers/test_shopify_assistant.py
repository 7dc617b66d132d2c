"""End to end: each quirk export imported, then a shopper asks the assistant (the real graph,
with the scripted chat model standing in for the LLM, which only phrases the facts) for a
product by its title, and gets it as an available card, unless the store does not sell it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from agent.llm.scripted import ScriptedChatModel
from api.importers.loader import import_store
from tests.agent.chat import context, turns
from tests.importers.shopify_quirks import QUIRKS, Quirk


@pytest.mark.parametrize("quirk", QUIRKS, ids=[q.name for q in QUIRKS])
async def test_a_shopper_asking_for_a_product_by_name_gets_it_as_the_store_sells_it(
        quirk: Quirk, tmp_path: Path, fresh_engine: Engine) -> None:
    import_store(fresh_engine, quirk.write(tmp_path))
    ctx = context(fresh_engine, ScriptedChatModel(default_reply="Here is what I found."))
    (state,) = await turns(ctx, f"do you have {quirk.ask}?")
    cards = {s["product_id"]: s for s in state["suggestions"]}
    if not quirk.for_sale:
        assert quirk.ask_id not in cards, "a draft product is never offered"
        return
    assert quirk.ask_id in cards, (state["reply"], list(cards))
    card = cards[quirk.ask_id]
    assert card["in_stock"] is True and card["price"] > 0
    assert re.match(r"(In stock at|Available (from|to order from)|[1-3] left at) ",
                    card["stock_note"]), card["stock_note"]


async def test_untracked_stock_is_offered_as_available_never_as_a_count(
        tmp_path: Path, fresh_engine: Engine) -> None:
    quirk = next(q for q in QUIRKS if q.name == "untracked_inventory")
    import_store(fresh_engine, quirk.write(tmp_path))
    ctx = context(fresh_engine, ScriptedChatModel(default_reply="Here is what I found."))
    (state,) = await turns(ctx, "do you have boho tassel pillow covers?")
    (card,) = [s for s in state["suggestions"] if s["product_id"] == quirk.ask_id]
    assert card["stock_note"] == "Available from Online warehouse, delivered in about 3 days"
    assert "left" not in state["reply"] and "couldn't find" not in state["reply"]
