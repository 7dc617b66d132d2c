"""The graph with the scripted model: facts in the prompt, fallbacks when the model fails."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel
from sqlalchemy.engine import Engine

from agent.commerce.inventory import InventoryUnavailable, StockAt
from agent.llm.scripted import ScriptedChatModel
from agent.prompts import PromptLibrary
from tests.agent.chat import context, turns

ROOT = Path(__file__).resolve().parents[2]


async def test_the_model_phrases_only_facts_the_graph_fetched(engine: Engine) -> None:
    model = ScriptedChatModel(replies=["Some great options for you."])
    (state,) = await turns(context(engine, model), "waterproof hiking jacket under $200, size M")
    assert state["reply"] == "Some great options for you."
    (call,) = model.calls
    system, user = call["messages"]
    assert system.content == PromptLibrary(ROOT / "prompts").render("system")
    for suggestion in state["suggestions"]:
        # Names only: prices and stock notes are on the cards, not worth prompt tokens.
        assert suggestion["name"] in user.content
    assert "SHOPPER: waterproof hiking jacket under $200, size M" in user.content


async def test_the_static_prompt_prefix_is_identical_every_turn(engine: Engine) -> None:
    model = ScriptedChatModel(default_reply="ok")
    await turns(context(engine, model), "hi", "rain jacket size M",
                 "which size of the Flint Trail Runner?")
    systems = {call["messages"][0].content for call in model.calls}
    assert len(model.calls) == 3 and len(systems) == 1


@pytest.mark.parametrize("failure", ["error", "timeout", "not loaded"])
async def test_a_failing_model_still_gives_the_shopper_the_facts(engine: Engine,
                                                                 failure: str) -> None:
    model: BaseChatModel | None = {
        "error": ScriptedChatModel(replies=[ConnectionError("provider down")]),
        "timeout": ScriptedChatModel(replies=["slow " * 50], delay_s=0.2),
        "not loaded": None,
    }[failure]
    ctx = context(engine, model, llm_timeout_s=0.5)
    (state,) = await turns(ctx, "waterproof hiking jacket under $200, size M")
    assert state["suggestions"], "suggestions do not depend on the model"
    assert state["reply"].startswith("Here ")
    for suggestion in state["suggestions"]:
        assert suggestion["name"] in state["reply"]
    assert state["facts"]["_llm"]["fallback"] is True


class _DownInventory:
    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        raise InventoryUnavailable("inventory API timed out")


async def test_when_stock_cannot_be_confirmed_nothing_is_presented_as_available(
        engine: Engine) -> None:
    ctx = context(engine, None, inventory=_DownInventory())
    (state,) = await turns(ctx, "rain jacket")
    assert state["suggestions"] == []
    assert "can't confirm what's in stock" in state["reply"]


async def test_a_stated_size_is_remembered_for_later_searches(engine: Engine) -> None:
    ctx = context(engine, None)
    _, later = await turns(ctx, "I'm usually a size S", "fleece jacket")
    assert later["suggestions"]
    assert {s["size"] for s in later["suggestions"]} <= {"S", None}


async def test_sizing_advice_names_a_size_from_the_products_run(engine: Engine) -> None:
    ctx = context(engine, None)
    (state,) = await turns(ctx, "what size should I get in the rain jacket? I'm usually a M")
    assert state["intent"] == "sizing"
    facts = state["facts"]
    assert facts["advice"] in facts["sizes"] and facts["confidence"] in ("high", "medium")
    assert f"size {facts['advice']}" in state["reply"]
