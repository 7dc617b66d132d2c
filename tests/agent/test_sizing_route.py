"""Fit questions reach the size advisor, whichever way the shopper puts them."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from agent.nodes.route import classify
from tests.agent.chat import context, turns


@pytest.mark.parametrize("text", [
    "does the Ember down jacket run small?",
    "do the Trailhead boots run large?",
    "does it run big",
    "which size for the Torrent waterproof anorak?",
])
def test_fit_questions_are_sizing(text: str) -> None:
    assert classify(text, pending_order=False) == "sizing"


async def test_does_it_run_small_names_the_fit_and_asks_the_usual_size(engine: Engine) -> None:
    (state,) = await turns(context(engine), "does the Ember down jacket run small?")
    assert state["intent"] == "sizing"
    assert state["facts"]["product"] == "Ember 800 Down Jacket"
    assert "What size do you usually wear?" in state["reply"]


@pytest.mark.parametrize("text", [
    "I have the 10 and it feels tight",
    "the L is way too big",
    "my 9.5s pinch",
    "the M was a bit short",
    "la M me queda grande",
    "die 42 ist zu klein",
])
def test_how_something_they_have_fits_is_sizing(text: str) -> None:
    assert classify(text, pending_order=False) == "sizing"


@pytest.mark.parametrize("text", ["a loose cotton tee", "show me a large backpack",
                                  "small tent for 2 people"])
def test_fit_words_in_a_search_are_still_a_search(text: str) -> None:
    assert classify(text, pending_order=False) == "discovery"


async def test_tight_in_a_10_moves_up_instead_of_asking_the_usual_size(engine: Engine) -> None:
    (state,) = await turns(context(engine), "I bought the Flint trail runners in 10 but they "
                                            "feel tight. What size should I get?")
    facts = state["facts"]
    assert (facts["product"], facts["advice"], facts["has_size"]) == (
        "Flint Trail Runner", "10.5", "10")
    assert "usually wear" not in state["reply"]
    assert "size 10.5" in state["reply"] and "your 10 is too tight" in state["reply"]
    assert "foot length 28.1-28.5 cm" in state["reply"], "the chart row of the advice"


async def test_the_product_of_the_last_sizing_answer_is_the_one_that_feels_tight(
        engine: Engine) -> None:
    asked, told = await turns(context(engine),
                              "what size should I get in the Velocity ultra trail shoe?",
                              "I have the 10 and it feels tight")
    assert "What size do you usually wear?" in asked["reply"]
    assert told["facts"]["product"] == "Velocity Ultra Trail Shoe"
    # Tight, and the Velocity runs small: a full size (its run has no half sizes anyway).
    assert told["facts"]["advice"] == "11"
    assert "runs small" in told["reply"]


async def test_way_too_big_after_suggestions_is_about_the_first_card(engine: Engine) -> None:
    shown, told = await turns(context(engine), "show me rain jackets", "the L is way too big")
    first = shown["suggestions"][0]["name"]
    assert told["intent"] == "sizing" and told["facts"]["product"] == first
    assert told["facts"]["advice"] == "M" and f"For the {first}" in told["reply"]


async def test_a_size_said_to_be_too_big_is_not_kept_for_later_searches(
        engine: Engine) -> None:
    _, told, searched = await turns(context(engine), "show me rain jackets",
                                    "the large is way too big", "and a fleece jacket?")
    assert told["facts"]["advice"] == "M" and told["shopper_size"] == "M"
    assert searched["facts"]["constraints"]["size"] == "M"


async def test_newer_suggestions_replace_the_product_of_an_older_sizing_answer(
        engine: Engine) -> None:
    *_, told = await turns(context(engine),
                           "what size should I get in the Velocity ultra trail shoe?",
                           "show me rain jackets", "the M was a bit loose")
    assert told["facts"]["product"] != "Velocity Ultra Trail Shoe"
    assert told["facts"]["advice"] == "S"


async def test_only_what_is_missing_is_asked(engine: Engine) -> None:
    no_product, no_size = await turns(context(engine), "I have the 10 and it feels tight",
                                      "the Flint trail runner feels tight")
    assert no_product["intent"] == "sizing"
    assert no_product["reply"] == "Which product is it?", "the size was said: not asked"
    assert no_size["facts"]["need"] == "size_they_have"
    assert "Which size of the Flint Trail Runner do you have now?" in no_size["reply"]


async def test_spanish_a_medium_that_is_big_moves_down(engine: Engine) -> None:
    _, told = await turns(context(engine), "show me rain jackets", "la M me queda grande")
    assert told["intent"] == "sizing" and told["facts"]["advice"] == "S"


async def test_nothing_bigger_than_the_largest_size_is_said_honestly(engine: Engine) -> None:
    (state,) = await turns(context(engine), "my 13 Flint trail runners are way too small")
    assert state["facts"]["end_of_run"] == "13" and "advice" not in state["facts"]
    assert "doesn't come in a size above 13" in state["reply"]
