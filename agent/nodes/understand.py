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
from typing import Annotated, Any, Literal, cast

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, StringConstraints, create_model
from sqlmodel import Session, select

from agent.commerce.query import ShopperQuery, parse_query
from agent.context import TandemContext
from agent.llm.structured import ask_json
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState
from domain.tables import Product

log = logging.getLogger(__name__)
MAX_TOKENS = 80
"""Room for {"english": "...", "kind": "...", "about_shown": false}: short on purpose."""


def _kinds(ctx: TandemContext) -> list[str]:
    with Session(ctx.engine) as session:
        categories = session.exec(select(Product.category).distinct()).all()
    return sorted({str(c) for c in categories if c})


def _schema(kinds: list[str]) -> type[BaseModel]:
    kind = cast(Any, Literal[tuple([*kinds, "none"])])  # the catalogue's kinds, or none
    # The message in English first: a small model picks the kind far better from its own
    # translation than from the words in another language.
    english: Any = (Annotated[str, StringConstraints(max_length=120)], ...)
    return create_model("ShopperNeed", english=english, kind=(kind, ...),
                        about_shown=(bool, ...))


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
    shown_kinds = {str(c.get("category", "")).lower() for c in cards}
    # "About a product shown" counts only for a kind shown, or no new kind asked for: a
    # small model says so of new searches too.
    if answer["about_shown"] and cards and answer["kind"] in ("none", *shown_kinds):
        return update | {"intent": "product_question", "focus": cards[0], "facts": {}}
    said = ShopperQuery(**(state.get("refined_query") or state.get("unsure") or {}))
    if answer["kind"] != "none":
        said.terms = str(answer["kind"]).lower().split()
    else:
        # No kind picked: the model's English words are searched instead (they steer the
        # search only; what is said comes from the cards found).
        said.terms = parse_query(str(answer["english"])).terms
    if not said.terms:
        return update
    return update | {"intent": "discovery", "refined_query": asdict(said), "facts": {}}
