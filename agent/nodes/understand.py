"""Understanding where the rules fall short: one schema-constrained model call.

The rules read English against an English catalogue; "busco unos calcetines talla L"
shares no keyword with it, and the meaning search alone finds too little.  Then, and only
then, the model is asked once which of the store's product kinds the message asks for,
with those kinds as the only values the JSON schema allows (the embedded runtime enforces
it), and whether it asks about a product just shown.  Its answer only steers the search;
every claim is still made from the store's rows.  Without a model (or when the call
fails) the router's reading stands.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any, Literal, cast

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, create_model
from sqlmodel import Session, select

from agent.commerce.query import ShopperQuery
from agent.context import TandemContext
from agent.llm.structured import ask_json
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState
from domain.tables import Product

log = logging.getLogger(__name__)
MAX_TOKENS = 48
"""Room for {"kind": "...", "about_shown": false}: the call is short on purpose."""


def _kinds(ctx: TandemContext) -> list[str]:
    with Session(ctx.engine) as session:
        categories = session.exec(select(Product.category).distinct()).all()
    return sorted({str(c) for c in categories if c})


def _schema(kinds: list[str]) -> type[BaseModel]:
    kind = cast(Any, Literal[tuple([*kinds, "none"])])  # the catalogue's kinds, or none
    return create_model("ShopperNeed", kind=(kind, ...), about_shown=(bool, ...))


async def understand(state: ConversationState, runtime: Runtime[TandemContext]
                     ) -> dict[str, Any]:
    ctx = runtime.context
    if ctx.model is None:
        return {"unsure": None}
    kinds = _kinds(ctx)
    cards = state.get("last_suggestions") or []
    text = last_shopper_text(state)
    messages = [SystemMessage(ctx.prompts.render("understand_system")),
                HumanMessage(ctx.prompts.render("understand", kinds=kinds, shopper=text,
                                                shown=[str(c.get("name")) for c in cards]))]
    started = time.perf_counter()
    need = await ask_json(ctx.model, messages, _schema(kinds), timeout_s=ctx.llm_timeout_s,
                          attempts=1, max_tokens=MAX_TOKENS)
    spent = {"calls": 1, "seconds": round(time.perf_counter() - started, 3),
             "answer": need.model_dump() if need is not None else None}
    update: dict[str, Any] = {"unsure": None, "understood": spent}
    if need is None:
        return update
    answer = need.model_dump()
    if answer["about_shown"] and cards:
        return update | {"intent": "product_question", "focus": cards[0], "facts": {}}
    if answer["kind"] != "none":
        said = ShopperQuery(**(state.get("refined_query") or state.get("unsure") or {}))
        said.terms = str(answer["kind"]).lower().split()
        return update | {"intent": "discovery", "refined_query": asdict(said), "facts": {}}
    return update
