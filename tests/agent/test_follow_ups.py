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


async def test_it_in_black_asks_the_first_card_again_in_black_keeping_the_size(
        engine: Engine) -> None:
    first, black = await turns(
        context(engine), "I need a warm jacket for a winter trip to Norway, I usually wear a large",
        "do you have it in black?")
    assert {s["size"] for s in first["suggestions"]} == {"L"}
    wanted = first["suggestions"][0]["name"]
    assert black["intent"] == "discovery"
    assert black["suggestions"] and black["suggestions"][0]["name"] == wanted
    assert all(s["size"] == "L" for s in black["suggestions"])
    verdict = black["facts"]["variant"]
    assert verdict["product"] == wanted and {"name": "color", "value": "Black",
                                             "kind": "color"} in verdict["asked"]
    if verdict["status"] == "in_stock":
        assert black["suggestions"][0]["color"] == "Black"
        assert black["reply"].startswith(f"Yes, the {wanted} in Black, size L is in stock")
    else:
        assert not black["reply"].startswith("Yes")


async def test_anything_cheaper_stays_under_the_cheapest_card(engine: Engine) -> None:
    first, cheaper = await turns(context(engine), "insulated jacket size M", "anything cheaper?")
    cheapest = min(s["price"] for s in first["suggestions"])
    assert cheaper["intent"] == "discovery" and cheaper["suggestions"]
    assert all(s["price"] < cheapest for s in cheaper["suggestions"])
    assert all(s["size"] == "M" for s in cheaper["suggestions"])


async def test_a_question_about_a_card_is_answered_from_its_page_never_out_of_scope(
        engine: Engine) -> None:
    shown, heavy, second = await turns(context(engine), "show me tents", "how heavy is it?",
                                       "is the second one waterproof?")
    tents = [s["name"] for s in shown["suggestions"]]
    assert heavy["intent"] == "product_question"
    assert heavy["facts"]["answer"]["product"] == tents[0]
    assert "outside what I can help with" not in heavy["reply"]
    assert heavy["reply"].startswith(f"The {tents[0]} product page doesn't say how much it"
                                     ) or "g" in heavy["facts"]["answer"]["found"][0]
    assert second["facts"]["answer"]["product"] == tents[1]

