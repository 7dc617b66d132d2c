"""What the model did during a turn, seen through LangChain callbacks (no patching).

`LLMRecorder` is handed to a graph run as a callback; LangChain passes it down to every
chat model call and graph node inside.  Per model call it records the start, the first
streamed token, the end and the token usage the provider reported (`usage_metadata`);
per graph node its duration, for the profile.  `take()` returns what happened since the
last `take()`: one turn.

A reply stream the caller closes early (Tandem stops after a few sentences) ends without
the provider's usage report; its prompt is then counted with `count_prompt` (the
runtime's own tokenizer in the bench) and its completion as the chunks streamed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from api.observability.observer import reported_usage


@dataclass
class LLMCall:
    started: float
    first_token: float | None = None
    ended: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    """Prompt tokens the runtime took from its prompt cache, when it says so."""
    text: str = ""
    chunks: int = 0
    cut: bool = False
    """The caller closed the stream early: no usage report came."""
    messages: list[BaseMessage] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.ended or time.perf_counter()) - self.started


@dataclass
class TurnTrace:
    calls: list[LLMCall] = field(default_factory=list)
    nodes: dict[str, float] = field(default_factory=dict)
    """Seconds per graph node (top-level nodes only), summed over the turn."""

    @property
    def model_seconds(self) -> float:
        return sum(c.seconds for c in self.calls)



class LLMRecorder(BaseCallbackHandler):
    """Records model calls and node timings; thread-safe enough for one turn at a time."""

    # Called in the event loop's thread, not an executor: the timestamps are exact.
    run_inline = True

    def __init__(self, count_prompt: Callable[[list[BaseMessage]], int] | None = None) -> None:
        self._count_prompt = count_prompt
        self._calls: dict[UUID, LLMCall] = {}
        self._order: list[UUID] = []
        self._nodes: dict[UUID, tuple[str, float]] = {}
        self._node_seconds: dict[str, float] = {}

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]],
                            *, run_id: UUID, **kwargs: Any) -> None:
        self._calls[run_id] = LLMCall(started=time.perf_counter(), messages=messages[0])
        self._order.append(run_id)

    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], *, run_id: UUID,
                     **kwargs: Any) -> None:
        self._calls[run_id] = LLMCall(started=time.perf_counter())
        self._order.append(run_id)

    def on_llm_new_token(self, token: str, *, run_id: UUID, **kwargs: Any) -> None:
        call = self._calls.get(run_id)
        if call is not None and token:
            if call.first_token is None:
                call.first_token = time.perf_counter()
            call.text += token
            call.chunks += 1

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        call = self._calls.get(run_id)
        if call is None:
            return
        call.ended = time.perf_counter()
        call.prompt_tokens, call.completion_tokens, call.cached_tokens = reported_usage(response)
        if not call.text:
            call.text = "".join(g.text for gs in response.generations for g in gs)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        call = self._calls.get(run_id)
        if call is None:
            return
        call.ended = time.perf_counter()
        if call.chunks:  # closed early by the caller, not a failure of the model
            call.cut = True
            call.completion_tokens = call.chunks
            if self._count_prompt is not None:
                call.prompt_tokens = self._count_prompt(call.messages)

    def on_chain_start(self, serialized: dict[str, Any] | None, inputs: Any, *, run_id: UUID,
                       metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        node = (metadata or {}).get("langgraph_node")
        # A node's own run carries its name; runs inside it (e.g. a parser) do not match.
        if node and kwargs.get("name") == node:
            self._nodes[run_id] = (str(node), time.perf_counter())

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end_node(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end_node(run_id)

    def _end_node(self, run_id: UUID) -> None:
        if (entry := self._nodes.pop(run_id, None)) is not None:
            name, started = entry
            self._node_seconds[name] = (self._node_seconds.get(name, 0.0)
                                        + time.perf_counter() - started)

    def take(self) -> TurnTrace:
        """The calls and node timings since the last `take()`."""
        trace = TurnTrace(calls=[self._calls[r] for r in self._order],
                          nodes=dict(self._node_seconds))
        self._calls, self._order, self._node_seconds = {}, [], {}
        return trace
