"""The turn observer: one LangChain callback handler that sees every graph run from outside.

Per turn (the graph's root run) it records the time, each node's time, each model call's
time, time to first token and tokens, and from the final state: who wrote the reply (the
model, a template, or the fallback after a failure, a busy gate or a withdrawn reply),
the handoff rule, the suggestions and those blocked for stock.  It feeds the Prometheus
metrics, makes a span per turn, node and model call when a tracer is set, and stores a
`TurnStat` row for `tandem monitor`.

Span attributes carry no personal data: the shopper's words go through the same redaction
as the logs (`agent.privacy.redact`), and nothing else the shopper typed is recorded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode, Tracer
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from agent.privacy.redact import redact
from api.models import TurnStat
from api.observability import prom
from domain.db import session_scope

log = logging.getLogger(__name__)
TEXT_LIMIT = 300


@dataclass
class _Turn:
    started: float
    conversation_id: str | None
    span: Span | None
    prompt: int = 0
    cached: int = 0
    generated: int = 0
    calls: int = 0
    first_token: float | None = None


@dataclass
class _Call:
    started: float
    turn: UUID | None
    span: Span | None
    first_token: float | None = None
    chunks: int = 0


@dataclass
class _Node:
    name: str
    started: float
    span: Span | None


def reply_outcome(llm: dict[str, Any]) -> str:
    """Who wrote the reply, from the respond node's `_llm` record."""
    if llm.get("replaced"):
        return "withdrawn"
    error = llm.get("error")
    if error == "busy":
        return "busy"
    if error == "model_unavailable":
        return "unavailable"
    if error and error != "not_scripted":
        return "fallback"
    return "model" if llm.get("calls") and not llm.get("fallback") else "template"


def reported_usage(response: LLMResult) -> tuple[int, int, int]:
    """(prompt, generated, cached) tokens the provider reported, if it did."""
    for generations in response.generations:
        for generation in generations:
            usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if usage:
                details = usage.get("input_token_details") or {}
                return (usage.get("input_tokens", 0), usage.get("output_tokens", 0),
                        details.get("cache_read", 0) or 0)
    token_usage = (response.llm_output or {}).get("token_usage") or {}
    return token_usage.get("prompt_tokens", 0), token_usage.get("completion_tokens", 0), 0


@dataclass
class TurnObserver(AsyncCallbackHandler):
    """Attach to graph runs (see `middleware`); safe for many turns at once (state per run)."""

    engine: Engine | None = None
    """Where `TurnStat` rows go; None records none."""
    tracer: Tracer | None = None
    _turns: dict[UUID, _Turn] = field(default_factory=dict)
    _nodes: dict[UUID, _Node] = field(default_factory=dict)
    _calls: dict[UUID, _Call] = field(default_factory=dict)
    _parents: dict[UUID, UUID] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def _turn_of(self, run_id: UUID | None) -> UUID | None:
        seen = 0
        while run_id is not None and run_id not in self._turns and seen < 50:
            run_id, seen = self._parents.get(run_id), seen + 1
        return run_id if run_id in self._turns else None

    def _span(self, name: str, parent: UUID | None, **attributes: Any) -> Span | None:
        if self.tracer is None:
            return None
        holder = (self._nodes.get(parent) if parent else None) or \
            (self._turns.get(parent) if parent else None)
        context = trace.set_span_in_context(holder.span) if holder and holder.span else None
        return self.tracer.start_span(name, context=context, attributes={
            k: v for k, v in attributes.items() if v is not None})

    # -- graph and nodes --------------------------------------------------------------------

    async def on_chain_start(self, serialized: dict[str, Any] | None, inputs: Any, *,
                             run_id: UUID, parent_run_id: UUID | None = None,
                             metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if parent_run_id is not None:
            self._parents[run_id] = parent_run_id
        metadata = metadata or {}
        if parent_run_id is None and isinstance(inputs, dict) and "messages" in inputs:
            # The conversation graph's own run: a turn (other root runs are not).
            conversation = metadata.get("thread_id")
            text = _shopper_text(inputs)
            span = self._span("tandem.turn", None, **{
                "tandem.conversation_id": conversation,
                "tandem.shopper_text": redact(text)[:TEXT_LIMIT] if text else None})
            self._turns[run_id] = _Turn(time.perf_counter(), conversation, span)
            return
        node = metadata.get("langgraph_node")
        if node and parent_run_id is not None and kwargs.get("name") == node:
            self._nodes[run_id] = _Node(str(node), time.perf_counter(),
                                        self._span(f"tandem.node.{node}", parent_run_id))

    async def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._parents.pop(run_id, None)
        if (node := self._nodes.pop(run_id, None)) is not None:
            prom.NODE_SECONDS.labels(node.name).observe(time.perf_counter() - node.started)
            if node.span is not None:
                node.span.end()
        if (turn := self._turns.pop(run_id, None)) is not None:
            await self._finish(turn, outputs if isinstance(outputs, dict) else {})

    async def on_chain_error(self, error: BaseException, *, run_id: UUID,
                             **kwargs: Any) -> None:
        self._parents.pop(run_id, None)
        for holder in (self._nodes.pop(run_id, None), self._turns.pop(run_id, None)):
            if holder is not None and holder.span is not None:
                holder.span.set_status(Status(StatusCode.ERROR, error.__class__.__name__))
                holder.span.end()

    async def _finish(self, turn: _Turn, state: dict[str, Any]) -> None:
        seconds = time.perf_counter() - turn.started
        facts = state.get("facts") or {}
        llm = facts.get("_llm") or {}
        intent = str(state.get("intent") or "smalltalk")
        route = "human" if intent == "handoff" else "assistant"
        rule = (state.get("verdict") or {}).get("rule") if route == "human" else None
        outcome = reply_outcome(llm)
        blocked = len(facts.get("sold_out") or [])
        suggestions = len(state.get("suggestions") or [])
        prom.TURN_SECONDS.observe(seconds)
        prom.REPLIES.labels(outcome).inc()
        if rule:
            prom.HANDOFFS.labels(rule).inc()
        if blocked:
            prom.BLOCKED_FOR_STOCK.inc(blocked)
        for kind, value in (("prompt", turn.prompt), ("cached", turn.cached),
                            ("generated", turn.generated)):
            prom.TURN_TOKENS.labels(kind).observe(value)
        if turn.span is not None:
            turn.span.set_attributes({k: v for k, v in {
                "tandem.intent": intent, "tandem.route": route, "tandem.handoff_rule": rule,
                "tandem.reply": outcome, "tandem.suggestions": suggestions,
                "tandem.blocked_for_stock": blocked, "gen_ai.usage.input_tokens": turn.prompt,
                "gen_ai.usage.output_tokens": turn.generated,
                "tandem.cached_tokens": turn.cached}.items() if v is not None})
            turn.span.end()
        if self.engine is not None and turn.conversation_id:
            stat = TurnStat(conversation_id=turn.conversation_id, intent=intent, route=route,
                            handoff_rule=rule, reply=outcome, seconds=round(seconds, 4),
                            model_calls=turn.calls, prompt_tokens=turn.prompt,
                            cached_tokens=turn.cached, generated_tokens=turn.generated,
                            first_token_s=turn.first_token, suggestions=suggestions,
                            blocked_for_stock=blocked)
            await asyncio.to_thread(self._store, stat)

    def _store(self, stat: TurnStat) -> None:
        try:
            with session_scope(self.engine) as session:  # type: ignore[arg-type]
                session.add(stat)
        except SQLAlchemyError as exc:  # e.g. the conversation was erased meanwhile
            log.warning("turn record not stored: %s", exc.__class__.__name__)

    # -- model calls ------------------------------------------------------------------------

    async def on_chat_model_start(self, serialized: dict[str, Any],
                                  messages: list[list[BaseMessage]], *, run_id: UUID,
                                  parent_run_id: UUID | None = None,
                                  metadata: dict[str, Any] | None = None,
                                  **kwargs: Any) -> None:
        if parent_run_id is not None:
            self._parents[run_id] = parent_run_id
        model = (metadata or {}).get("ls_model_name")
        self._calls[run_id] = _Call(time.perf_counter(), self._turn_of(parent_run_id),
                                    self._span("tandem.model", parent_run_id, **{
                                        "gen_ai.request.model": model}))

    async def on_llm_new_token(self, token: str | list[str | dict[str, Any]], *,
                               chunk: Any = None, run_id: UUID,
                               parent_run_id: UUID | None = None,
                               tags: list[str] | None = None, **kwargs: Any) -> None:
        call = self._calls.get(run_id)
        if call is not None and token:
            call.chunks += 1
            if call.first_token is None:
                call.first_token = time.perf_counter() - call.started
                prom.MODEL_FIRST_TOKEN.observe(call.first_token)

    async def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        self._parents.pop(run_id, None)
        call = self._calls.pop(run_id, None)
        if call is not None:
            self._end_call(call, *reported_usage(response))

    async def on_llm_error(self, error: BaseException, *, run_id: UUID,
                           **kwargs: Any) -> None:
        self._parents.pop(run_id, None)
        call = self._calls.pop(run_id, None)
        if call is not None:
            # A stream the caller closed early has no usage report: count what streamed.
            self._end_call(call, 0, call.chunks, 0, error=None if call.chunks else error)

    def _end_call(self, call: _Call, prompt: int, generated: int, cached: int,
                  error: BaseException | None = None) -> None:
        seconds = time.perf_counter() - call.started
        prom.MODEL_SECONDS.observe(seconds)
        turn = self._turns.get(call.turn) if call.turn else None
        if turn is not None:
            turn.prompt += prompt
            turn.generated += generated
            turn.cached += cached
            turn.calls += 1
            if turn.first_token is None and call.first_token is not None:
                turn.first_token = round(call.first_token, 4)
        if call.span is not None:
            call.span.set_attributes({
                "gen_ai.usage.input_tokens": prompt, "gen_ai.usage.output_tokens": generated,
                "tandem.cached_tokens": cached, "tandem.seconds": round(seconds, 4),
                **({"tandem.first_token_s": round(call.first_token, 4)}
                   if call.first_token is not None else {})})
            if error is not None:
                call.span.set_status(Status(StatusCode.ERROR, error.__class__.__name__))
            call.span.end()


def _shopper_text(inputs: Any) -> str:
    """The shopper's message of this turn, from the graph's input."""
    messages = inputs.get("messages") if isinstance(inputs, dict) else None
    if messages:
        content = getattr(messages[-1], "content", "")
        return content if isinstance(content, str) else ""
    return ""
