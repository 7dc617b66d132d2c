"""The graph with the scripted model: facts in the prompt, fallbacks when the model fails."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy.engine import Engine

from agent.commerce.inventory import DatabaseInventory, InventoryUnavailable, StockAt
from agent.context import TandemContext
from agent.graph import build_graph
from agent.llm.scripted import ScriptedChatModel
from agent.policy import load_policy
from agent.prompts import PromptLibrary

ROOT = Path(__file__).resolve().parents[2]


def _context(engine: Engine, model: BaseChatModel | None, **overrides: Any) -> TandemContext:
    values: dict[str, Any] = {
        "engine": engine, "inventory": DatabaseInventory(engine), "model": model,
        "policy": load_policy(ROOT / "policies" / "escalation.yaml"),
        "prompts": PromptLibrary(ROOT / "prompts"), "llm_timeout_s": 2.0} | overrides
    return TandemContext(**values)


async def _turns(ctx: TandemContext, *texts: str) -> list[dict[str, Any]]:
    graph = build_graph(InMemorySaver())
    config = {"configurable": {"thread_id": uuid.uuid4().hex}}
    results = []
    for text in texts:
        results.append(await graph.ainvoke({"messages": [HumanMessage(text)]}, config,
                                           context=ctx))
    return results


async def test_the_model_phrases_only_facts_the_graph_fetched(engine: Engine) -> None:
    model = ScriptedChatModel(replies=["Two great options for you."])
    (state,) = await _turns(_context(engine, model), "waterproof hiking jacket under $200, size M")
    assert state["reply"] == "Two great options for you."
    (call,) = model.calls
    system, user = call["messages"]
    assert system.content == PromptLibrary(ROOT / "prompts").render("system")
    for suggestion in state["suggestions"]:
        # Names only: prices and stock notes are on the cards, not worth prompt tokens.
        assert suggestion["name"] in user.content
    assert "SHOPPER: waterproof hiking jacket under $200, size M" in user.content


async def test_the_static_prompt_prefix_is_identical_every_turn(engine: Engine) -> None:
    model = ScriptedChatModel(default_reply="ok")
    await _turns(_context(engine, model), "hi", "rain jacket size M",
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
    ctx = _context(engine, model, llm_timeout_s=0.5)
    (state,) = await _turns(ctx, "waterproof hiking jacket under $200, size M")
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
    ctx = _context(engine, None, inventory=_DownInventory())
    (state,) = await _turns(ctx, "rain jacket")
    assert state["suggestions"] == []
    assert "can't confirm what's in stock" in state["reply"]


async def test_a_stated_size_is_remembered_for_later_searches(engine: Engine) -> None:
    ctx = _context(engine, None)
    _, later = await _turns(ctx, "I'm usually a size S", "fleece jacket")
    assert later["suggestions"]
    assert {s["size"] for s in later["suggestions"]} <= {"S", None}


async def test_sizing_advice_names_a_size_from_the_products_run(engine: Engine) -> None:
    ctx = _context(engine, None)
    (state,) = await _turns(ctx, "what size should I get in the rain jacket? I'm usually a M")
    assert state["intent"] == "sizing"
    facts = state["facts"]
    assert facts["advice"] in facts["sizes"] and facts["confidence"] in ("high", "medium")
    assert f"size {facts['advice']}" in state["reply"]
