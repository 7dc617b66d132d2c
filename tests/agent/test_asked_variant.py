"""A product asked for by its options, on tau-bench's store: the exact variant first when it
is in stock, or an honest no first and the closest in stock, each saying how it differs."""

from __future__ import annotations

import itertools
import json
from typing import Any

from sqlalchemy.engine import Engine

from tests.agent.chat import context, turns
from tests.shared_data import shared_data


def _products() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        shared_data("tau-retail", "products.json").read_text(encoding="utf-8"))
    return data


def _product(name: str) -> dict[str, Any]:
    return next(p for p in _products().values() if p["name"] == name)


def _ask(name: str, options: dict[str, str]) -> str:
    return f"Do you have a {name} with " + ", ".join(f"{v} {k}" for k, v in options.items()) + "?"


async def test_the_variant_asked_for_comes_first_when_it_is_in_stock(tau_catalog: Engine) -> None:
    watch = _product("Smart Watch")
    item = next(v for v in watch["variants"].values() if v["available"])
    (state,) = await turns(context(tau_catalog), _ask("Smart Watch", item["options"]))
    first = state["suggestions"][0]
    assert first["variant_id"] == item["item_id"]
    assert state["reply"].startswith("Yes, the Smart Watch")
    assert f"${first['price']:.2f}" in state["reply"], "the price said is the card's"


async def test_a_variant_that_is_not_sellable_gets_an_honest_no_first(tau_catalog: Engine) -> None:
    watch = _product("Smart Watch")
    gone = next(v for v in watch["variants"].values() if not v["available"])
    (state,) = await turns(context(tau_catalog), _ask("Smart Watch", gone["options"]))
    assert state["reply"].startswith("The Smart Watch") and "sold out" in state["reply"]
    assert "Yes" not in state["reply"]
    assert gone["item_id"] not in {s["variant_id"] for s in state["suggestions"]}
    for card in state["suggestions"]:
        assert card["name"] == "Smart Watch" and card["differs"], "each card says how it differs"
        assert all(d["have"] in card["because"] for d in card["differs"])


async def test_a_combination_the_store_does_not_make_gets_an_honest_no(tau_catalog: Engine) -> None:
    watch = _product("Smart Watch")
    made = {tuple(sorted(v["options"].items())) for v in watch["variants"].values()}
    values: dict[str, set[str]] = {}
    for v in watch["variants"].values():
        for k, x in v["options"].items():
            values.setdefault(k, set()).add(x)
    missing = next(dict(combo) for combo in itertools.product(
        *[[(k, x) for x in sorted(xs)] for k, xs in values.items()])
        if tuple(sorted(combo)) not in made)
    (state,) = await turns(context(tau_catalog), _ask("Smart Watch", missing))
    assert state["reply"].startswith("We don't have the Smart Watch"), state.get("verdict")
    assert state["suggestions"], "the closest in stock are offered"
    assert all(s["differs"] for s in state["suggestions"])


async def test_a_colour_the_product_never_comes_in_is_an_honest_no(tau_catalog: Engine) -> None:
    (state,) = await turns(context(tau_catalog), "Do you have the Smart Watch in rose gold?")
    assert state["reply"].startswith("We don't have the Smart Watch in rose gold")
    assert all(s["name"] == "Smart Watch" for s in state["suggestions"])


async def test_the_product_named_comes_before_one_that_shares_its_options(
        tau_catalog: Engine) -> None:
    (state,) = await turns(context(tau_catalog), "a mechanical keyboard with RGB backlight")
    assert state["suggestions"][0]["name"] == "Mechanical Keyboard"
    (state,) = await turns(context(tau_catalog), "I want a 75W wifi light bulb")
    assert state["suggestions"][0]["name"] == "LED Light Bulb"
