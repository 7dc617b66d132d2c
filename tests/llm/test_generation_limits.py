"""The bound on concurrent model generations: shoppers before background work, a bounded
queue, then an honest "one moment".

The slow model is the scripted double held at a gate by the test (no real model runs), so
the test decides exactly when the first generation is in progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import PrivateAttr

from agent.llm.limits import GenerationGate, ModelBusy, Priority, run_in_background
from agent.llm.scripted import ScriptedChatModel
from api.settings import Settings
from tests.conftest import api_client
from tests.helpers import say, start_chat


async def test_a_full_gate_queues_in_order_then_turns_away() -> None:
    gate = GenerationGate(max_concurrent=1, max_waiting=1, max_wait_s=5.0)
    order: list[str] = []
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with gate.slot():
            first_in.set()
            await release.wait()
            order.append("first")

    async def second() -> None:
        async with gate.slot():
            order.append("second")

    holder = asyncio.create_task(first())
    await first_in.wait()
    waiter = asyncio.create_task(second())
    await asyncio.sleep(0.01)
    assert gate.metrics.shopper.waiting == 1

    with pytest.raises(ModelBusy):  # one generating, one waiting: the third is turned away
        async with gate.slot():
            pass
    release.set()
    await asyncio.gather(holder, waiter)

    assert order == ["first", "second"]
    m = gate.metrics.shopper
    assert (m.admitted, m.queued, m.rejected_queue_full, m.in_flight, m.waiting) == (2, 1, 1, 0, 0)


async def test_a_turn_waits_at_most_max_wait() -> None:
    gate = GenerationGate(max_concurrent=1, max_waiting=4, max_wait_s=0.05)
    async with gate.slot():
        with pytest.raises(ModelBusy):
            async with gate.slot():
                pass
    assert gate.metrics.shopper.rejected_wait == 1 and gate.metrics.total("in_flight") == 0
    async with gate.slot():  # the slot is free again afterwards
        pass


class HeldModel(ScriptedChatModel):
    """Streams its reply only once the test releases it."""

    _entered: asyncio.Event = PrivateAttr(default_factory=asyncio.Event)
    _release: asyncio.Event = PrivateAttr(default_factory=asyncio.Event)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: Any = None, **kwargs: Any
                       ) -> AsyncIterator[ChatGenerationChunk]:
        self._entered.set()
        await self._release.wait()
        async for chunk in super()._astream(messages, stop, run_manager, **kwargs):
            yield chunk


async def test_a_second_shopper_gets_one_moment_with_the_facts_while_the_model_is_busy(
        settings: Settings) -> None:
    limited = settings.model_copy(update={"llm_max_concurrent": 1, "llm_queue_max": 0,
                                          "llm_timeout_s": 30.0})
    model = HeldModel(default_reply="Here is what I found for you.")
    async with api_client(limited, model=model) as client:
        first, second = await start_chat(client), await start_chat(client)
        busy_turn = asyncio.create_task(
            say(client, first, "waterproof hiking jacket under $200, size M"))
        await asyncio.wait_for(model._entered.wait(), timeout=10)
        # Let the first turn's checkpoint writes (aiosqlite, in the background) commit first:
        # the turn service writes SQLite synchronously on the event loop, and doing so while
        # an aiosqlite write awaits its commit deadlocks until the busy timeout (a known
        # issue of concurrent turns on SQLite, reported; not what this test is about).
        await asyncio.sleep(0.3)

        turn = await asyncio.wait_for(say(client, second, "hiking boots size 10"), timeout=10)

        text = turn["reply"]["text"]
        assert text.startswith("One moment"), text
        suggestions = turn["reply"]["suggestions"]
        assert suggestions and all(s["size"] == "10" and s["in_stock"] for s in suggestions)
        assert all(s["name"] in text for s in suggestions), "the facts are in the reply"
        health = (await client.get("/healthz")).json()
        assert health["generations"]["rejected_queue_full"] == 1
        assert health["generations"]["in_flight"] == 1

        model._release.set()
        answered = await asyncio.wait_for(busy_turn, timeout=10)
        assert answered["reply"]["text"] == "Here is what I found for you."
        # Nothing lost: the busy reply is in the transcript, and the next turn uses the model.
        transcript = (await client.get(f"/v1/conversations/{second.id}",
                                       headers=second.headers)).json()
        assert text in str(transcript)
        again = await say(client, second, "and a fleece jacket in size M?")
        assert again["reply"]["text"] == "Here is what I found for you."


# --- Priorities: shoppers before background work (AI handoff summaries) ---------------


async def _started(coro: Any) -> asyncio.Task[Any]:
    task = asyncio.create_task(coro)
    await asyncio.sleep(0.01)  # let it reach the gate
    return task


async def test_shoppers_go_before_waiting_background_work_and_background_never_hears_busy(
        ) -> None:
    gate = GenerationGate(max_concurrent=1, max_waiting=1, max_wait_s=5.0)
    order: list[str] = []

    async def generate(name: str, priority: Priority) -> None:
        async with gate.slot(priority):
            order.append(name)
            await asyncio.sleep(0.01)

    first = await gate.acquire("shopper")
    # Three summaries queue behind the running reply: no deadline, no queue limit, no busy.
    summaries = [await _started(generate(f"summary-{i}", "background")) for i in range(3)]
    shopper = await _started(generate("shopper", "shopper"))
    assert gate.metrics.background.waiting == 3 and gate.metrics.shopper.waiting == 1
    gate.release(first)
    await asyncio.gather(shopper, *summaries)

    assert order == ["shopper", "summary-0", "summary-1", "summary-2"]
    assert gate.metrics.total("rejected_queue_full") == 0
    assert gate.metrics.total("rejected_wait") == 0


async def test_a_shopper_stops_a_running_summary_which_runs_again_afterwards() -> None:
    gate = GenerationGate(max_concurrent=1, max_waiting=0, max_wait_s=5.0)
    attempts: list[str] = []
    summary_running = asyncio.Event()

    async def summary() -> str:
        attempts.append("start")
        summary_running.set()
        await asyncio.sleep(3600)  # a long draft: only a stop ends it early
        return "never"

    async def short_summary() -> str:
        attempts.append("again")
        return "draft"

    works = iter([summary, short_summary])
    background = asyncio.create_task(run_in_background(gate, lambda: next(works)()))
    await summary_running.wait()

    # With no queue at all (max_waiting=0), one shopper still gets the slot: only shoppers
    # beyond the slots count towards "busy".
    async with gate.slot("shopper"):
        assert gate.metrics.background.preempted == 1
        assert gate.metrics.shopper.in_flight == 1 and gate.metrics.background.in_flight == 0
    assert await asyncio.wait_for(background, timeout=5) == "draft"
    assert attempts == ["start", "again"]
    assert gate.metrics.shopper.rejected_queue_full == gate.metrics.shopper.rejected_wait == 0


@pytest.mark.parametrize("slots", [1, 2, 3])
async def test_no_shopper_is_busy_while_no_more_shoppers_than_slots_wait(slots: int) -> None:
    gate = GenerationGate(max_concurrent=slots, max_waiting=0, max_wait_s=5.0)
    release = asyncio.Event()

    async def long_summary() -> None:
        await release.wait()

    summaries = [asyncio.create_task(run_in_background(gate, long_summary))
                 for _ in range(slots + 1)]
    await asyncio.sleep(0.01)
    assert gate.metrics.background.in_flight == slots  # every slot drafting a summary

    shoppers = [await gate.acquire("shopper") for _ in range(slots)]
    assert gate.metrics.shopper.in_flight == slots
    with pytest.raises(ModelBusy):  # one shopper more than slots (and no queue): busy
        await gate.acquire("shopper")
    for lease in shoppers:
        gate.release(lease)
    release.set()
    await asyncio.wait_for(asyncio.gather(*summaries), timeout=5)
    assert gate.metrics.background.admitted == slots + 1 + gate.metrics.background.preempted
    assert gate.metrics.shopper.rejected_queue_full == 1


async def test_a_shopper_who_gives_up_waiting_passes_the_slot_on() -> None:
    gate = GenerationGate(max_concurrent=1, max_waiting=2, max_wait_s=5.0)
    holder = await gate.acquire("shopper")
    impatient = await _started(gate.acquire("shopper"))
    patient = await _started(gate.acquire("shopper"))
    impatient.cancel()
    await asyncio.sleep(0)
    gate.release(holder)
    lease = await asyncio.wait_for(patient, timeout=1)
    assert gate.metrics.shopper.in_flight == 1 and gate.metrics.shopper.waiting == 0
    gate.release(lease)
    assert gate.metrics.total("in_flight") == 0


async def test_background_work_whose_caller_gives_up_leaves_the_queue() -> None:
    gate = GenerationGate(max_concurrent=1, max_waiting=0, max_wait_s=5.0)
    holder = await gate.acquire("shopper")

    async def summary() -> None:
        return None

    waiting = await _started(run_in_background(gate, summary))
    assert gate.metrics.background.waiting == 1
    waiting.cancel()  # e.g. the summary's own time budget ran out
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert gate.metrics.background.waiting == 0
    gate.release(holder)
    assert gate.metrics.total("in_flight") == 0 and gate.metrics.background.admitted == 0
