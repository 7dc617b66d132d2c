"""A conversation through the real graph (scripted or no model) on the test store."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy.engine import Engine

from agent.commerce.inventory import DatabaseInventory
from agent.context import TandemContext
from agent.escalation import load_policy
from agent.graph import build_graph
from agent.prompts import PromptLibrary

ROOT = Path(__file__).resolve().parents[2]


def context(engine: Engine, model: BaseChatModel | None = None,
            **overrides: Any) -> TandemContext:
    values: dict[str, Any] = {
        "engine": engine, "inventory": DatabaseInventory(engine), "model": model,
        "policy": load_policy(ROOT / "policies" / "escalation.yaml"),
        "prompts": PromptLibrary(ROOT / "prompts"), "llm_timeout_s": 2.0} | overrides
    return TandemContext(**values)


async def turns(ctx: TandemContext, *texts: str) -> list[dict[str, Any]]:
    """One state per message, all in the same conversation."""
    graph = build_graph(InMemorySaver())
    config = {"configurable": {"thread_id": uuid.uuid4().hex}}
    return [await graph.ainvoke({"messages": [HumanMessage(text)]}, config, context=ctx)
            for text in texts]
