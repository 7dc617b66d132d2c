"""A bound on concurrent model generations, shoppers first, background work when it is free.

On two CPU cores one generation already uses every core: a second one at the same time
only makes both slower.  So at most `max_concurrent` generations run at once, and who
gets the next free slot goes by priority:

- **shopper** generations (a reply a shopper is waiting for) come first.  Up to
  `max_waiting` of them may wait, each for at most `max_wait_s`; a shopper beyond the
  slots and that queue gets `ModelBusy` at once, and the caller answers from its facts
  with a template (the reply node's "one moment") instead of keeping them waiting into a
  timeout.  Only shoppers count towards that: a background generation never makes a
  shopper "busy".
- **background** generations (AI handoff summaries, anything nobody is watching) wait
  for a slot no shopper wants, with no deadline and no queue limit of their own, and
  never get `ModelBusy`.  One already running when a shopper has to wait is asked to
  stop (its lease's `preempt` event): `GatedChatModel` cancels it, hands the slot to the
  shopper and starts it again from the beginning once a slot is free.  So a shopper
  waits behind a running background generation only for as long as it takes to stop it.

Every model call of the process goes through the gate, because the chat model itself is
wrapped (`GatedChatModel`); the priority is the wrapper's (`GatedChatModel.background()`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import agenerate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import ConfigDict

log = logging.getLogger(__name__)
Priority = Literal["shopper", "background"]
PRIORITIES: tuple[Priority, ...] = ("shopper", "background")
T = TypeVar("T")


class ModelBusy(RuntimeError):
    """Every generation slot is taken by shoppers and their queue is full, or a shopper's
    wait ran out.  Never raised to a background generation."""


@dataclass
class LaneMetrics:
    """Counters of one priority (shown by `GET /healthz` under `by_priority`)."""

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
    wait_seconds_max: float = 0.0
    preempted: int = 0
    """Background generations stopped so a waiting shopper could have the slot (each was
    started again later).  Always 0 for shoppers: a shopper is never stopped."""


@dataclass
class GenerationMetrics:
    """Counters for operators, per priority; `snapshot` adds the totals (what shoppers
    felt: the `rejected_*` totals are shoppers told "one moment")."""

    shopper: LaneMetrics = field(default_factory=LaneMetrics)
    background: LaneMetrics = field(default_factory=LaneMetrics)

    def lane(self, priority: Priority) -> LaneMetrics:
        return self.shopper if priority == "shopper" else self.background

    def total(self, name: str) -> float:
        """`name` summed over the priorities (the peaks and maxima: the larger)."""
        values = [getattr(self.lane(p), name) for p in PRIORITIES]
        return max(values) if name in ("peak_waiting", "wait_seconds_max") else sum(values)

    def snapshot(self) -> dict[str, Any]:
        def rounded(values: dict[str, Any]) -> dict[str, Any]:
            return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}
        totals = {name: self.total(name) for name in LaneMetrics.__dataclass_fields__
                  if name != "preempted"}
        return rounded(totals) | {"by_priority": {
            p: rounded(asdict(self.lane(p))) for p in PRIORITIES}}


@dataclass(eq=False)
class Lease:
    """One generation's claim on a slot, from the moment it asks until it gives it back."""

    priority: Priority
    preempt: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a shopper is waiting for this (background) lease's slot: stop and give it
    back.  Never set on a shopper's lease."""
    granted: asyncio.Future[None] | None = None


class GenerationGate:
    """At most `max_concurrent` generations at once; shoppers first (`max_waiting` of them
    may wait, each `max_wait_s` at most), background work whenever a slot is free."""

    def __init__(self, *, max_concurrent: int, max_waiting: int, max_wait_s: float) -> None:
        if max_concurrent < 1 or max_waiting < 0 or max_wait_s <= 0:
            raise ValueError("max_concurrent >= 1, max_waiting >= 0 and max_wait_s > 0")
        self.max_concurrent = max_concurrent
        self.max_waiting = max_waiting
        self.max_wait_s = max_wait_s
        self.metrics = GenerationMetrics()
        self._running: list[Lease] = []
        self._waiting: dict[Priority, deque[Lease]] = {p: deque() for p in PRIORITIES}

    def _reject(self, why: str) -> ModelBusy:
        m = self.metrics
        log.warning("model busy (%s): %d generating, %d shoppers waiting, %d turned away "
                    "so far", why, len(self._running), m.shopper.waiting,
                    m.shopper.rejected_queue_full + m.shopper.rejected_wait)
        return ModelBusy(why)

    def _admit(self, lease: Lease) -> None:
        self._running.append(lease)
        lane = self.metrics.lane(lease.priority)
        lane.admitted += 1
        lane.in_flight += 1

    def _hand_on(self) -> None:
        """Give free slots to whoever waits: shoppers first, then background, in order."""
        while len(self._running) < self.max_concurrent:
            queue = self._waiting["shopper"] or self._waiting["background"]
            if not queue:
                return
            lease = queue.popleft()
            self.metrics.lane(lease.priority).waiting -= 1
            assert lease.granted is not None
            lease.granted.set_result(None)
            self._admit(lease)

    def _preempt_for_shoppers(self) -> None:
        """Ask as many running background generations to stop as there are shoppers
        waiting beyond the ones a stop was already asked for."""
        stopping = sum(1 for lease in self._running if lease.preempt.is_set())
        wanted = len(self._waiting["shopper"]) - stopping
        for lease in self._running:
            if wanted <= 0:
                return
            if lease.priority == "background" and not lease.preempt.is_set():
                lease.preempt.set()
                self.metrics.background.preempted += 1
                wanted -= 1

    def _release(self, lease: Lease) -> None:
        self._running.remove(lease)
        self.metrics.lane(lease.priority).in_flight -= 1
        self._hand_on()

    async def _wait_turn(self, lease: Lease, deadline_s: float | None) -> None:
        """Queue `lease` until `_hand_on` grants it a slot (or the deadline passes)."""
        lane = self.metrics.lane(lease.priority)
        lease.granted = asyncio.get_running_loop().create_future()
        self._waiting[lease.priority].append(lease)
        lane.waiting += 1
        lane.peak_waiting = max(lane.peak_waiting, lane.waiting)
        if lease.priority == "shopper":
            self._preempt_for_shoppers()
        started = time.perf_counter()
        try:
            # asyncio.wait leaves the future alone on timeout: no race with a grant.
            await asyncio.wait({lease.granted}, timeout=deadline_s)
        except BaseException:  # cancelled by the caller: leave the queue or the slot
            self._withdraw(lease)
            raise
        finally:
            waited = time.perf_counter() - started
            lane.wait_seconds_total += waited
            lane.wait_seconds_max = max(lane.wait_seconds_max, waited)
        if not lease.granted.done():
            self._withdraw(lease)
            lane.rejected_wait += 1
            raise self._reject(f"no slot within {deadline_s:g}s")
        lane.queued += 1

    def _withdraw(self, lease: Lease) -> None:
        if lease.granted is not None and lease.granted.done():
            self._release(lease)  # granted just as the caller gave up: pass the slot on
        else:
            self._waiting[lease.priority].remove(lease)
            self.metrics.lane(lease.priority).waiting -= 1
            if lease.granted is not None:
                lease.granted.cancel()

    async def acquire(self, priority: Priority = "shopper") -> Lease:
        """A slot for one generation; give it back with `release`.  Raises `ModelBusy` only
        for a shopper, when the shoppers already generating and waiting fill every slot
        and the queue, or when no slot came within `max_wait_s`."""
        lease = Lease(priority)
        free = len(self._running) < self.max_concurrent
        if priority == "shopper":
            if free and not self._waiting["shopper"]:
                self._admit(lease)
                return lease
            shoppers = self.metrics.shopper
            if shoppers.in_flight + shoppers.waiting >= self.max_concurrent + self.max_waiting:
                shoppers.rejected_queue_full += 1
                raise self._reject("queue full")
            await self._wait_turn(lease, self.max_wait_s)
            return lease
        if free and not self._waiting["shopper"] and not self._waiting["background"]:
            self._admit(lease)
            return lease
        await self._wait_turn(lease, None)
        return lease

    def release(self, lease: Lease) -> None:
        self._release(lease)

    @asynccontextmanager
    async def slot(self, priority: Priority = "shopper") -> AsyncIterator[Lease]:
        """Hold one generation slot for the body; see `acquire`."""
        lease = await self.acquire(priority)
        try:
            yield lease
        finally:
            self.release(lease)


class Preempted(Exception):
    """A background generation was stopped to let a shopper have its slot."""


async def _until_preempted(lease: Lease, work: Callable[[], Awaitable[T]]) -> T:
    """`work()` run to its end, or cancelled (raising `Preempted`) once the lease is asked
    to give its slot to a shopper."""
    task = asyncio.ensure_future(work())
    stop = asyncio.ensure_future(lease.preempt.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not task.done():
            task.cancel()
            # Wait for the cancellation to finish: the HTTP request to the model server is
            # then closed, and it stops generating before the shopper's request arrives.
            # (asyncio.wait: the task's own error is not raised here, a cancellation of
            # this caller is.)
            await asyncio.wait({task})
    if task.cancelled():
        raise Preempted
    return task.result()


async def run_in_background(gate: GenerationGate, work: Callable[[], Awaitable[T]]) -> T:
    """`work()` (one model generation) at background priority: started when a slot is
    free, stopped when a shopper needs the slot, and started again from the beginning
    when one is free again, until it completes (or its caller gives up)."""
    while True:
        lease = await gate.acquire("background")
        try:
            return await _until_preempted(lease, work)
        except Preempted:
            log.info("background generation stopped for a waiting shopper; it will start "
                     "again when a slot is free")
        finally:
            gate.release(lease)


class GatedChatModel(BaseChatModel):
    """`inner` behind a `GenerationGate`: every async generation holds a slot while it runs,
    at this wrapper's `priority`.

    Calls go to the inner model's own `_agenerate` / `_astream`, so this run is the only
    one callbacks see (token usage and timings are reported once).  A background
    generation is always streamed from the inner model (closing a stream is how a
    generation is stopped at the next token) and handed to the caller whole, once done.
    Sync calls are not gated: the server only generates from async code; sync callers are
    the CLI and the start-up warm-up, which run before any shopper is served.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    gate: GenerationGate
    priority: Priority = "shopper"

    def background(self) -> GatedChatModel:
        """The same model and gate, for work no shopper is waiting for."""
        return self.model_copy(update={"priority": "background"})

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

    async def _in_background(self, messages: list[BaseMessage], stop: list[str] | None,
                             kwargs: dict[str, Any]) -> ChatResult:
        async def whole() -> ChatResult:
            return await agenerate_from_stream(
                self.inner._astream(messages, stop=stop, **kwargs))
        return await run_in_background(self.gate, whole)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None,
                         **kwargs: Any) -> ChatResult:
        if self.priority == "background":
            return await self._in_background(messages, stop, kwargs)
        async with self.gate.slot("shopper"):
            return await self.inner._agenerate(messages, stop=stop, **kwargs)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        if self.priority == "background":
            result = await self._in_background(messages, stop, kwargs)
            for generation in result.generations:
                yield _as_chunk(generation)
            return
        async with self.gate.slot("shopper"):
            async for chunk in self.inner._astream(messages, stop=stop, **kwargs):
                yield chunk


def _as_chunk(generation: ChatGeneration) -> ChatGenerationChunk:
    message = generation.message
    return ChatGenerationChunk(message=AIMessageChunk(
        content=message.content,
        usage_metadata=getattr(message, "usage_metadata", None),
        response_metadata=message.response_metadata))


def gated(model: BaseChatModel, gate: GenerationGate | None) -> BaseChatModel:
    """`model` behind `gate`, or `model` itself when generations are not bounded."""
    if gate is None or isinstance(model, GatedChatModel):
        return model
    return GatedChatModel(inner=model, gate=gate)


def background(model: BaseChatModel) -> BaseChatModel:
    """`model` for background work: behind the gate at background priority when it is
    gated (an unbounded model has no queue to be polite in)."""
    return model.background() if isinstance(model, GatedChatModel) else model
