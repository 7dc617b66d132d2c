"""Follow-ups that correct or narrow the last search keep what was asked before."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from agent.commerce.query import parse_query, refine
from tests.agent.chat import context, turns


async def test_the_blue_one_keeps_the_product_and_size_asked_for_before(engine: Engine) -> None:
    first, repair = await turns(context(engine), "rain jacket in size M",
                                "no, I meant the blue one")
    assert first["suggestions"] and repair["intent"] == "discovery"
    assert repair["suggestions"]
    for suggestion in repair["suggestions"]:
        assert "blue" in suggestion["color"].lower() and suggestion["size"] == "M"
    turned_down = {(s["name"], s["color"]) for s in first["suggestions"]}
    assert not turned_down & {(s["name"], s["color"]) for s in repair["suggestions"]}


async def test_a_new_size_searches_the_same_product_again(engine: Engine) -> None:
    first, repair = await turns(context(engine), "hiking boots size 10",
                                "actually make that size 11")
    assert repair["suggestions"]
    assert {s["size"] for s in repair["suggestions"]} == {"11"}
    assert {s["name"] for s in repair["suggestions"]} & {s["name"] for s in first["suggestions"]}


async def test_a_new_budget_widens_the_same_search(engine: Engine) -> None:
    _, repair = await turns(context(engine), "down jacket under $100", "ok, under $300 then")
    assert repair["suggestions"]
    assert all(s["price"] <= 300 for s in repair["suggestions"])
    assert any("Down" in s["name"] for s in repair["suggestions"])


async def test_a_new_colour_keeps_the_product_and_size(engine: Engine) -> None:
    _, repair = await turns(context(engine), "red fleece jacket size M", "hmm, green instead")
    assert repair["suggestions"]
    for suggestion in repair["suggestions"]:
        assert "green" in suggestion["color"].lower() and suggestion["size"] == "M"


async def test_a_new_product_is_a_new_search(engine: Engine) -> None:
    _, tents = await turns(context(engine), "red rain jacket under $150", "show me tents")
    assert tents["suggestions"]
    assert all("Tent" in s["name"] for s in tents["suggestions"])
    assert any(s["price"] > 150 for s in tents["suggestions"]), "the jacket's budget is gone"


async def test_a_correction_without_a_search_before_is_read_on_its_own(engine: Engine) -> None:
    (state,) = await turns(context(engine), "in blue")
    assert state["intent"] == "smalltalk" and state["suggestions"] == []


async def test_correcting_the_order_number_asks_for_proof_of_the_new_one(engine: Engine) -> None:
    _, fixed, proved = await turns(context(engine), "where is my order #R10508?",
                                   "sorry, I meant #R10002", "hlee@example.com")
    assert fixed["route"] == "assistant" and fixed["intent"] == "order_status"
    assert "#R10002" in fixed["reply"] and "email" in fixed["reply"]
    assert proved["facts"]["order"]["id"] == "#R10002"


def test_a_new_budget_replaces_the_old_range_whole() -> None:
    merged = refine(parse_query("trail shoes $100 to $150 size 9"), parse_query("under $300"),
                    keep_terms=True)
    assert (merged.min_price, merged.max_price, merged.size) == (None, 300.0, "9")
    assert merged.terms == ["trail", "shoes"]
