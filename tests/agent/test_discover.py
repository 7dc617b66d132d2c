"""Discovery on live stock: flash sales, stand-ins for sold-out products, nearest delivery."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.commerce.inventory import DatabaseInventory, StockAt, soonest_source, stock_note
from api.db import session_scope
from domain.tables import Customer, StockLevel, Variant
from tests.agent.chat import context, turns


@contextmanager
def restored_stock(engine: Engine) -> Iterator[None]:
    """Put every stock level back as it was: the test databases are shared."""
    with Session(engine) as session:
        saved = {(s.variant_id, s.location_id): s.quantity
                 for s in session.exec(select(StockLevel)).all()}
    try:
        yield
    finally:
        with session_scope(engine) as session:
            for level in session.exec(select(StockLevel)).all():
                if level.quantity != saved[(level.variant_id, level.location_id)]:
                    level.quantity = saved[(level.variant_id, level.location_id)]
                    session.add(level)


def sell_out(engine: Engine, variant_id: str) -> None:
    with session_scope(engine) as session:
        for level in session.exec(select(StockLevel).where(
                col(StockLevel.variant_id) == variant_id)).all():
            level.quantity = 0
            session.add(level)


class FlashSale:
    """The database inventory, with a flash sale emptying `victim` at a chosen moment:
    "before" the first stock read (right after the search), or "after" it (while the
    suggestions are being chosen, before the answer-time check)."""

    def __init__(self, engine: Engine, victim: str, when: str) -> None:
        self.inner = DatabaseInventory(engine)
        self.engine, self.victim, self.when = engine, victim, when
        self.calls = 0

    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        self.calls += 1
        if self.calls == 1 and self.when == "before":
            sell_out(self.engine, self.victim)
        stock = self.inner.stock_for(variant_ids)
        if self.calls == 1 and self.when == "after":
            sell_out(self.engine, self.victim)
        return stock


QUESTION = "waterproof hiking jacket under $200, size M"


async def _first_suggestion(engine: Engine) -> str:
    (state,) = await turns(context(engine, None), QUESTION)
    return str(state["suggestions"][0]["variant_id"])


async def test_stock_sold_out_right_after_the_search_is_not_suggested(engine: Engine) -> None:
    victim = await _first_suggestion(engine)
    with restored_stock(engine):
        (state,) = await turns(context(engine, None,
                                         inventory=FlashSale(engine, victim, "before")), QUESTION)
    assert state["suggestions"], "the rest of the shelf is still offered"
    assert victim not in {s["variant_id"] for s in state["suggestions"]}


async def test_stock_sold_out_while_the_answer_is_put_together_is_not_suggested(
        engine: Engine) -> None:
    victim = await _first_suggestion(engine)
    with restored_stock(engine):
        sale = FlashSale(engine, victim, "after")
        (state,) = await turns(context(engine, None, inventory=sale), QUESTION)
    assert sale.calls == 2, "the chosen suggestions are read again right before the answer"
    assert victim not in {s["variant_id"] for s in state["suggestions"]}
    assert all(s["in_stock"] for s in state["suggestions"])


async def test_a_sold_out_colour_is_offered_in_another_colour_and_says_why(
        engine: Engine) -> None:
    # The demo store's Cascade jacket is sold out in its first colour (Blue) in size M.
    (state,) = await turns(context(engine, None), "cascade rain jacket in blue, size M")
    first = state["suggestions"][0]
    assert first["name"] == "Cascade Waterproof Rain Jacket"
    assert first["size"] == "M" and first["color"] != "Blue"
    assert (f"The Cascade Waterproof Rain Jacket is sold out in Blue, size M; this is the same "
            f"rain jacket in {first['color']}") in first["because"]
    assert "in blue" not in first["because"], "the stand-in is not blue: never say it is"
    assert {"kind": "alternative", "source": "inventory",
            "detail": first["alternative"]} in first["evidence"]
    assert state["reply"].startswith(
        "The Cascade Waterproof Rain Jacket in Blue, size M is sold out"), "the no comes first"
    assert f"{first['color']} instead of Blue" in state["reply"], "and how the card differs"
    assert DatabaseInventory(engine).stock_for([first["variant_id"]])[first["variant_id"]]


async def test_a_product_sold_out_everywhere_is_replaced_by_one_of_its_kind_at_a_similar_price(
        engine: Engine) -> None:
    (state,) = await turns(context(engine, None), "ultralight tent")
    stand_in = next(s for s in state["suggestions"] if s["alternative"])
    assert stand_in["alternative"].startswith("The Featherlite 1 Ultralight Tent is sold out; "
                                              "this is another tent at a similar price")
    with Session(engine) as session:
        gone = session.exec(select(Variant).where(
            col(Variant.product_id) == "RO-FTHR-1P")).first()
    assert gone is not None and gone.price_cents is not None
    assert abs(stand_in["price"] - gone.price_cents / 100) <= 0.3 * gone.price_cents / 100


def _soonest_notes(engine: Engine, region: str) -> Callable[[dict[str, object]], str]:
    inventory = DatabaseInventory(engine)

    def note(suggestion: dict[str, object]) -> str:
        vid = str(suggestion["variant_id"])
        source = soonest_source(inventory.stock_for([vid])[vid], region)
        assert source is not None
        return stock_note(source, region)
    return note


async def test_a_postcode_in_the_conversation_picks_the_nearest_stock(engine: Engine) -> None:
    _, state = await turns(context(engine, None), "hi, I'm in 10001",
                            "rain jacket size M")
    assert state["facts"]["region"] == "US-East"
    note = _soonest_notes(engine, "US-East")
    assert state["suggestions"]
    for s in state["suggestions"]:
        assert s["stock_note"] == note(s)
        assert "tomorrow" not in s["stock_note"], "nothing reaches the east coast overnight"


async def test_a_signed_in_shoppers_region_comes_from_their_profile_only_with_consent(
        engine: Engine) -> None:
    with Session(engine) as session:
        east = session.exec(select(Customer).where(Customer.region == "US-East")).first()
    assert east is not None
    ctx = context(engine, None, customer_id=east.id, region="US-West")
    (state,) = await turns(ctx, "rain jacket size M")
    assert state["facts"]["region"] == "US-East" and "customer_profile" in ctx.reads

    private = context(engine, None, customer_id=east.id, region="US-West",
                       personalization=False)
    (state,) = await turns(private, "rain jacket size M")
    assert state["facts"]["region"] == "US-West" and "customer_profile" not in private.reads
