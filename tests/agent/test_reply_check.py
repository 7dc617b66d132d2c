"""A model reply that invents or drops the fact a turn is about does not reach the shopper.

The bad replies here are ones the embedded 1.5B model really gave on the starter suite
(2026-12-01); the scripted model replays them so the graph's behaviour can be asserted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.llm.scripted import ScriptedChatModel
from agent.reply_check import ReplyChecks, reply_problem
from domain.tables import Order
from tests.agent.chat import context, turns

SHIPPED_ORDER = {"order": {
    "id": "#R10508", "status": "shipped", "status_words": "on its way",
    "placed_on": "2026-11-20", "items": ["1 x Ember 800 Down Jacket"], "carrier": "UPS",
    "tracking_number": "1Z4F83A10384", "expected_delivery": "2026-12-06"}}


def test_a_reply_that_says_the_facts_passes() -> None:
    reply = "Your order #R10508 is on its way with UPS (1Z4F83A10384), expected December 6."
    assert reply_problem("order_status", SHIPPED_ORDER, "where is #R10508?", reply) is None


def test_an_invented_tracking_number_or_date_is_caught() -> None:
    reply = ("Order #R10508 is on its way, tracking 1Z4F83A10384 and R10508-123456, "
             "arriving December 2nd.")
    problem = reply_problem("order_status", SHIPPED_ORDER, "where is #R10508?", reply)
    assert problem is not None and "R10508-123456" in problem and "12/2" in problem


def test_a_bare_status_that_does_not_name_the_order_is_caught() -> None:
    # What the 1.5B model answered to a candidate prompt that quoted the status words.
    assert reply_problem("order_status", SHIPPED_ORDER, "where is #R10508?",
                         "on its way") == "does not name order #R10508"


def test_a_status_the_store_does_not_say_is_caught() -> None:
    pending = {"order": SHIPPED_ORDER["order"] | {
        "status": "pending", "status_words": "received and waiting to be processed",
        "tracking_number": None, "expected_delivery": None}}
    problem = reply_problem("order_status", pending, "has #R10508 shipped?",
                            "The order #R10508 has been shipped.")
    assert problem == "does not say the order is received and waiting to be processed"


def test_an_invented_price_is_caught_but_the_shoppers_budget_is_not() -> None:
    facts: dict[str, Any] = {"constraints": {"max_price": 20.0}, "products": [],
                             "sold_out": []}
    assert reply_problem("discovery", facts, "down jacket under $20",
                         "Nothing under $20 right now; could you go higher?") is None
    problem = reply_problem("discovery", facts, "down jacket under $20",
                            "The closest match under $20 is a down jacket at $19.99.")
    assert problem is not None and "$19.99" in problem


def test_sizing_advice_must_name_the_size_and_a_missing_size_must_be_asked_for() -> None:
    advice = {"product": "Drizzle Packable Rain Jacket", "advice": "L", "fit": "runs small",
              "confidence": "high", "sizes": ["S", "M", "L", "XL"]}
    shopper = "what size should I get in the Drizzle? I'm usually a M"
    assert reply_problem("sizing", advice, shopper,
                         "Go for size L: the Drizzle runs small.") is None
    assert reply_problem("sizing", advice, shopper,
                         "The Drizzle Packable Rain Jacket runs small.") == (
        "does not recommend size L")
    unknown = {"no_product": True, "usual_size": None}
    assert reply_problem("sizing", unknown, "what size should I get?",
                         "The usual size for this product is medium.") is not None


def _first_order(engine: Engine, status: str) -> Order:
    """The demo store's first order in `status`."""
    with Session(engine) as session:
        order = session.exec(select(Order).where(Order.status == status)
                             .order_by(col(Order.id))).first()
    assert order is not None, f"the demo store has no {status} order"
    return order


async def test_the_shopper_gets_the_template_facts_instead_of_an_invented_status(
        engine: Engine) -> None:
    order = _first_order(engine, "pending")
    checks = ReplyChecks()
    model = ScriptedChatModel(replies=[f"The order #{order.id} has been shipped and will "
                                       "arrive on December 24th."])
    ctx = context(engine, model, reply_checks=checks)
    # Italian: no translation of the templates, so the model phrases the status (in English,
    # German, Spanish and French the template says it; see the next test).
    (state,) = await turns(ctx, f"l'ordine #{order.id} è già stato spedito? la mia email è "
                                f"{order.email}")
    assert state["intent"] == "order_status"
    assert state["language"] == "it"
    assert "shipped" not in state["reply"]
    assert "received and waiting to be processed" in state["reply"]
    assert state["facts"]["_llm"]["replaced"].startswith("states what the facts do not")
    assert checks.snapshot() == {"kept": 0, "replaced": 1,
                                 "replaced_by_intent": {"order_status": 1}}


async def test_a_found_orders_status_is_said_by_the_template_without_the_model(
        engine: Engine) -> None:
    order = _first_order(engine, "pending")
    model = ScriptedChatModel(replies=[f"Order #{order.id} has arrived!"])
    for text in (f"has order #{order.id} shipped yet? email {order.email}",
                 f"¿ya se envió el pedido #{order.id}? mi correo es {order.email}"):
        (state,) = await turns(context(engine, model), text)
        assert state["intent"] == "order_status"
        assert state["facts"]["_llm"] == {"calls": 0, "fallback": True}
        assert "arrived" not in state["reply"] and order.id in state["reply"]
    assert model.calls == []


async def test_a_delivered_order_says_when_it_was_delivered_not_when_it_is_expected(
        engine: Engine) -> None:
    order = _first_order(engine, "delivered")
    assert order.expected_delivery is not None
    (state,) = await turns(context(engine, ScriptedChatModel()),
                           f"has order #{order.id} arrived? email {order.email}")
    assert f"Delivered on {order.expected_delivery.isoformat()}." in state["reply"]
    assert "Expected" not in state["reply"]


async def test_a_good_model_reply_is_kept_and_counted(engine: Engine) -> None:
    checks = ReplyChecks()
    model = ScriptedChatModel(replies=["Two good waterproof jackets in your size."])
    ctx = context(engine, model, reply_checks=checks)
    (state,) = await turns(ctx, "waterproof hiking jacket under $200, size M")
    assert state["reply"] == "Two good waterproof jackets in your size."
    assert checks.snapshot()["kept"] == 1 and checks.snapshot()["replaced"] == 0


def test_a_product_the_graph_did_not_fetch_is_caught() -> None:
    facts: dict[str, Any] = {"products": [{"name": "Scramble Softshell Jacket", "price": 154.0,
                                           "alternative": None}], "sold_out": []}
    store = ["Scramble Softshell Jacket", "Cascade Waterproof Rain Jacket"]
    assert reply_problem("discovery", facts, "blue ski jacket",
                         "Try the Scramble Softshell Jacket.", store_names=store) is None
    problem = reply_problem("discovery", facts, "blue ski jacket",
                            "Try the blue Cascade Waterproof Rain Jacket.", store_names=store)
    assert problem is not None and "Cascade Waterproof Rain Jacket" in problem


TIGHT_10 = {"product": "Flint Trail Runner", "has_size": "10", "feels": "is too tight",
            "advice": "10.5", "confidence": "high", "basis": "report",
            "because": "Because your 10 is too tight: half a size up."}


def test_a_sizing_reply_may_not_send_them_back_to_the_size_that_does_not_fit() -> None:
    shopper = "I have the 10 and it feels tight"
    assert reply_problem("sizing", TIGHT_10, shopper,
                         "Since your 10 feels tight, go with the 10.5 in the Flint Trail "
                         "Runner.") is None
    assert reply_problem("sizing", TIGHT_10, shopper,
                         "Stick with the 10; the 10.5 would be too loose.") == (
        "recommends the 10 the shopper said does not fit")
    assert reply_problem("sizing", TIGHT_10, shopper, "Try a size 11.") is not None
    assert reply_problem("sizing", TIGHT_10, shopper, "It runs small.") == (
        "does not recommend size 10.5")


# Replies the embedded 1.5B model gave on the sizing_moves suite (2026-12-06).
VELOCITY_TIGHT = {"product": "Velocity Ultra Trail Shoe", "has_size": "10", "move": "up",
                  "feels": "is too tight", "advice": "11", "confidence": "high"}
NO_BIGGER = {"product": "Flint Trail Runner", "has_size": "13", "move": "up",
             "end_of_run": "13", "end": "largest"}


def test_a_sizing_reply_that_adds_another_size_or_turns_the_move_around_is_caught() -> None:
    shopper = "I have the 10 and it feels tight"
    assert reply_problem("sizing", VELOCITY_TIGHT, shopper,
                         "The Velocity Ultra Trail Shoe is recommended for size 11. It runs "
                         "small, so you might want to try a size up to 12.") == (
        "recommends size 12, not the advice")
    assert reply_problem("sizing", NO_BIGGER, "my 13s are way too small",
                         "The Flint Trail Runner is not available in sizes above 13. Consider "
                         "trying a smaller size or looking for a different product.") == (
        "says to go the other way; their size must go up")
    assert reply_problem("sizing", VELOCITY_TIGHT, shopper,
                         "Go with size 11 in the Velocity Ultra Trail Shoe: it runs small, "
                         "so one size up.") is None


def test_a_sizing_reply_asks_for_what_is_missing_not_for_something_else() -> None:
    no_product = {"usual_size": None, "has_size": "10", "move": "up", "no_product": True}
    shopper = "I have the 10 and it feels tight"
    assert reply_problem("sizing", no_product, shopper,
                         "The 10 is tight. What size do you need?") == (
        "does not ask which product")
    assert reply_problem("sizing", no_product, shopper,
                         "Sorry about that! Which product is it?") is None
    no_size = {"product": "Flint Trail Runner", "need": "size_they_have", "move": "up"}
    assert reply_problem("sizing", no_size, "the Flint feels tight",
                         "Sorry! Which one do you have now?") == (
        "does not ask which size they have")
