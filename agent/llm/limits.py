"""A bound on concurrent model generations, with a bounded, time-limited queue.

On two CPU cores one generation already uses every core: a second one at the same time
only makes both slower.  So at most `max_concurrent` generations run at once; up to
`max_waiting` more wait (each for at most `max_wait_s`), in arrival order; a call beyond
that raises `ModelBusy` at once, and the caller answers from its facts with a template
(the reply node's "one moment" answer) instead of keeping the shopper waiting into a
timeout.  Every model call of the process goes through the gate, because the chat model
itself is wrapped (`GatedChatModel`): shopper replies and background summary drafts alike.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import ConfigDict

log = logging.getLogger(__name__)


class ModelBusy(RuntimeError):
    """Every generation slot is taken and the queue is full, or the wait ran out."""


@dataclass
class GenerationMetrics:
    """Counters for operators (shown by `GET /healthz`)."""

    in_flight: int = 0
    waiting: int = 0
    admitted: int = 0
    """Generations that got a slot (at once or after waiting)."""
    queued: int = 0
    """Of those, how many had to wait first."""
    rejected_queue_full: int = 0
    rejected_wait: int = 0
    peak_waiting: int = 0
    wait_seconds_total: float = 0.0

    def snapshot(self) -> dict[str, float]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


class GenerationGate:
    """At most `max_concurrent` generations at once; `max_waiting` more may wait."""

    def __init__(self, *, max_concurrent: int, max_waiting: int, max_wait_s: float) -> None:
        if max_concurrent < 1 or max_waiting < 0 or max_wait_s <= 0:
            raise ValueError("max_concurrent >= 1, max_waiting >= 0 and max_wait_s > 0")
        self.max_concurrent = max_concurrent
        self.max_waiting = max_waiting
        self.max_wait_s = max_wait_s
        self.metrics = GenerationMetrics()
        # Created lazily: an asyncio.Semaphore binds to the loop it is first used in.
        self._slots: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrent)
        return self._slots

    def _reject(self, why: str) -> ModelBusy:
        m = self.metrics
        log.warning("model busy (%s): %d generating, %d waiting, %d turned away so far",
                    why, m.in_flight, m.waiting, m.rejected_queue_full + m.rejected_wait)
        return ModelBusy(why)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one generation slot for the body; raises `ModelBusy` when none comes."""
        slots, m = self._semaphore(), self.metrics
        if slots.locked():  # no free slot now (or others already wait for one: keep order)
            if m.waiting >= self.max_waiting:
                m.rejected_queue_full += 1
                raise self._reject("queue full")
            m.waiting += 1
            m.peak_waiting = max(m.peak_waiting, m.waiting)
            started = time.perf_counter()
            try:
                await asyncio.wait_for(slots.acquire(), timeout=self.max_wait_s)
            except TimeoutError:
                m.rejected_wait += 1
                raise self._reject(f"no slot within {self.max_wait_s:g}s") from None
            finally:
                m.waiting -= 1
                m.wait_seconds_total += time.perf_counter() - started
            m.queued += 1
        else:
            await slots.acquire()
        m.admitted += 1
        m.in_flight += 1
        try:
            yield
        finally:
            m.in_flight -= 1
            slots.release()


class GatedChatModel(BaseChatModel):
    """`inner` behind a `GenerationGate`: every async generation holds a slot while it runs.

    Calls go to the inner model's own `_agenerate` / `_astream`, so this run is the only
    one callbacks see (token usage and timings are reported once).  Sync calls are not
    gated: the server only generates from async code; sync callers are the CLI and the
    start-up warm-up, which run before any shopper is served.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    gate: GenerationGate

    @property
    def _llm_type(self) -> str:
        # The inner type, so provider checks (e.g. Ollama's JSON `format`) still see it.
        return self.inner._llm_type

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return dict(self.inner._identifying_params)

    def bind_tools(self, tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
                   *, tool_choice: str | None = None,
                   **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        # Let the inner model format the tools its way, then bind them to this gated model.
        bound = self.inner.bind_tools(tools, tool_choice=tool_choice, **kwargs)
        return self.bind(**getattr(bound, "kwargs", {}))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        return self.inner._generate(messages, stop=stop, **kwargs)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        yield from self.inner._stream(messages, stop=stop, **kwargs)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None,
                         **kwargs: Any) -> ChatResult:
        async with self.gate.slot():
            return await self.inner._agenerate(messages, stop=stop, **kwargs)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        async with self.gate.slot():
            async for chunk in self.inner._astream(messages, stop=stop, **kwargs):
                yield chunk


def gated(model: BaseChatModel, gate: GenerationGate | None) -> BaseChatModel:
    """`model` behind `gate`, or `model` itself when generations are not bounded."""
    if gate is None or isinstance(model, GatedChatModel):
        return model
    return GatedChatModel(inner=model, gate=gate)
