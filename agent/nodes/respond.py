"""Phrase the reply from the facts the graph fetched: one streamed model call per turn.

The static system prompt comes first and is identical every turn, so the runtime's prompt
cache reuses it.  If the model fails or times out, the shopper gets the same facts from a
plain template instead: a turn never hangs and never loses the facts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent.context import TandemContext
from agent.llm.scripted import ScriptExhausted
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState

log = logging.getLogger(__name__)

# Intents whose reply is fully determined by the facts: no model call is needed.
TEMPLATE_ONLY = frozenset({"handoff"})


async def _stream_reply(model: BaseChatModel, prompt: list[Any], emit: Any) -> str:
    parts: list[str] = []
    async for chunk in model.astream(prompt):
        piece = str(chunk.content)
        if piece:
            parts.append(piece)
            emit({"token": piece})
    return "".join(parts).strip()


async def respond(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    intent = state.get("intent", "smalltalk")
    facts = state.get("facts", {})
    values = {"intent": intent, "facts": facts, "suggestions": state.get("suggestions", []),
              "shopper": last_shopper_text(state)}
    emit = runtime.stream_writer
    fallback = ctx.prompts.render("fallback", **values)
    text = ""
    llm: dict[str, Any] = {"calls": 0}
    if ctx.model is None:
        llm["error"] = "model_unavailable"
    elif intent not in TEMPLATE_ONLY:
        prompt = [SystemMessage(ctx.prompts.render("system")),
                  HumanMessage(ctx.prompts.render("reply", **values))]
        started = time.perf_counter()
        llm["calls"] = 1
        try:
            text = await asyncio.wait_for(_stream_reply(ctx.model, prompt, emit),
                                          timeout=ctx.llm_timeout_s)
        except ScriptExhausted:
            llm["error"] = "not_scripted"  # the scripted provider answers from templates
        except TimeoutError:
            log.warning("reply model timed out after %.1fs; using the fallback reply",
                        ctx.llm_timeout_s)
            llm["error"] = "timeout"
        except Exception as exc:  # noqa: BLE001 - any provider failure gets the fallback
            log.warning("reply model failed (%s: %s); using the fallback reply",
                        exc.__class__.__name__, exc)
            llm["error"] = exc.__class__.__name__
        llm["seconds"] = round(time.perf_counter() - started, 3)
        if text and llm.get("error"):
            # Part of a reply was streamed: keep the facts complete by appending the rest.
            text = ""
            emit({"reset": True})
    if not text:
        text = fallback
        emit({"token": text})
        llm["fallback"] = True
    return {"reply": text, "messages": [AIMessage(content=text)],
            "facts": facts | {"_llm": llm}}
