"""Phrase the reply from the facts the graph fetched: one streamed model call per turn.

The static system prompt comes first and is identical every turn, so the runtime's prompt
cache reuses it.  If the model fails or times out, the shopper gets the same facts from a
plain template instead: a turn never hangs and never loses the facts.  A reply that states
what the facts do not, or leaves out the fact the turn is about, is withdrawn and replaced
by the same template (agent/reply_check.py).  When every
generation slot is taken and the queue is full (agent/llm/limits.py), the shopper is told
honestly to bear with us, with the same facts (prompts/busy.j2), instead of a timeout.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessageChunk, HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.commerce.catalog import product_names
from agent.commerce.options import OptionVocabulary, vocabulary
from agent.context import TandemContext
from agent.i18n.language import language_name
from agent.llm.limits import ModelBusy
from agent.llm.scripted import ScriptExhausted
from agent.nodes.text import last_shopper_text
from agent.reply_check import reply_problem
from agent.state import ConversationState

log = logging.getLogger(__name__)

# Intents whose reply is fully determined by the facts: no model call is needed.  A policy
# answer is the retailer's commitment, said exactly as the policy file has it.
TEMPLATE_ONLY = frozenset({"handoff", "policy"})
# Facts that leave nothing to phrase (a question for what is missing, an honest "cannot"):
# the template says it at once, in the same words every time, without a model call.  An
# out-of-scope message never reaches the model either, so text written to steer it ("print
# your system prompt") has nothing to steer.
_TEMPLATE_FACTS = {"order_status": ("need", "not_found", "too_many_attempts"),
                   # The verdict on a variant asked for by its options is said by code.
                   "discovery": ("inventory_unavailable", "variant"),
                   "smalltalk": ("out_of_scope",),
                   # "The product page doesn't say": said plainly, never guessed.
                   "product_question": ("unanswered",)}
# Facts the template states in full, where it speaks the shopper's language: a found order's
# status, tracking and date are the store's record, said exactly.  A model rephrasing them
# added nothing but risk ("has arrived" for an order that had not) and was the slowest
# routine reply (59-86 generated tokens: 4-6 s on two cores).  In a language the templates
# do not speak, the model still says it.
_SPOKEN_FACTS = {"order_status": ("order",)}


def template_only(intent: str, facts: dict[str, Any], *, template_speaks: bool = True) -> bool:
    """Whether the reply is the template's, with no model call (`template_speaks`: the
    templates are written in the shopper's language)."""
    keys = _TEMPLATE_FACTS.get(intent, ()) + (_SPOKEN_FACTS.get(intent, ()) if template_speaks
                                              else ())
    return intent in TEMPLATE_ONLY or any(facts.get(k) for k in keys)
MAX_SENTENCES = 3
"""The reply stops after this many sentences.  The prompt asks for one or two; small models
sometimes go on (and what they add is where they invent), and every token costs ~40 ms
on two cores: stopping the stream stops the generation."""
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


async def _stream_reply(model: BaseChatModel, prompt: list[Any], emit: Any) -> str:
    parts: list[str] = []
    # Closed on leaving the block, not when garbage-collected: stopping early must end the
    # model's generation (the HTTP stream) at once.
    # BaseChatModel.astream is an async generator, though it is typed as an iterator.
    chunks = cast(AsyncGenerator[BaseMessageChunk, None], model.astream(prompt))
    async with aclosing(chunks) as stream:
        async for chunk in stream:
            piece = str(chunk.content)
            if not piece:
                continue
            text = "".join(parts)
            if (piece[:1].isspace() and text.rstrip().endswith((".", "!", "?"))
                    and len(_SENTENCE_END.findall(text + " ")) >= MAX_SENTENCES):
                break  # a new sentence would begin
            parts.append(piece)
            emit({"token": piece})
    return "".join(parts).strip()


def _store_names(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return product_names(session)


def _vocabulary(engine: Engine) -> OptionVocabulary:
    with Session(engine) as session:
        return vocabulary(session)


async def respond(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    intent = state.get("intent", "smalltalk")
    facts = state.get("facts", {})
    shopper = last_shopper_text(state)
    language = state.get("language") or "en"
    values: dict[str, Any] = {
        "intent": intent, "facts": facts, "suggestions": state.get("suggestions", []),
        "shopper": shopper, "reply_language": language_name(language)}
    emit = runtime.stream_writer
    fallback = ctx.prompts.render("fallback", language, **values)
    text = ""
    llm: dict[str, Any] = {"calls": 0}
    if ctx.model is None:
        llm["error"] = "model_unavailable"
    elif not template_only(intent, facts, template_speaks=ctx.prompts.speaks(language)):
        prompt = [SystemMessage(ctx.prompts.render("system")),
                  HumanMessage(ctx.prompts.render("reply", **values))]
        started = time.perf_counter()
        llm["calls"] = 1
        try:
            text = await asyncio.wait_for(_stream_reply(ctx.model, prompt, emit),
                                          timeout=ctx.llm_timeout_s)
        except ScriptExhausted:
            llm["error"] = "not_scripted"  # the scripted provider answers from templates
        except ModelBusy:
            llm["error"] = "busy"  # logged by the gate, with its queue counters
            fallback = ctx.prompts.render("busy", language, **values)
        except TimeoutError:
            log.warning("reply model timed out after %.1fs; using the fallback reply",
                        ctx.llm_timeout_s)
            llm["error"] = "timeout"
        except Exception as exc:  # noqa: BLE001 - any provider failure gets the fallback
            log.warning("reply model failed (%s: %s); using the fallback reply",
                        exc.__class__.__name__, exc)
            llm["error"] = exc.__class__.__name__
        llm["seconds"] = round(time.perf_counter() - started, 3)
        if text and not llm.get("error"):
            names = ctx.catalogue_names
            if names is None:  # the router did not read the catalogue this turn
                names = tuple(await asyncio.to_thread(_store_names, ctx.engine))
            problem = reply_problem(
                intent, facts, shopper, text, store_names=names,
                cards=state.get("suggestions", []),
                vocabulary=await asyncio.to_thread(_vocabulary, ctx.engine),
                language=language)
            if ctx.reply_checks is not None:
                ctx.reply_checks.record(intent, problem)
            if problem:
                log.warning("model reply replaced by the template (%s): %r", problem, text)
                llm["replaced"] = problem
        if text and (llm.get("error") or llm.get("replaced")):
            # The streamed words are withdrawn and the template says the facts instead.
            text = ""
            emit({"reset": True})
    if not text:
        text = fallback
        emit({"token": text})
        llm["fallback"] = True
    return {"reply": text, "messages": [AIMessage(content=text)],
            "facts": facts | {"_llm": llm}}
