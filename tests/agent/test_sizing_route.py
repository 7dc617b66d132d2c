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
