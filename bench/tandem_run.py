"""The bench conversations through Tandem itself: the service a shopper's message reaches
(`api.services.turns.run_turn`), with its database, checkpointer, graph and model.

The only addition is the `LLMRecorder`, attached as a callback to the compiled graph
(`graph.with_config`), so every node and model call inside reports to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from sqlmodel import Session

from api.db import session_scope
from api.runtime import TandemRuntime, open_runtime
from api.services.conversations import create_conversation
from api.services.turns import timed_turn
from api.settings import Settings
from bench.conversations import Conversation
from bench.grounding import StoreTruth, judge
from bench.usage import LLMRecorder, TurnTrace


async def _settle(runtime: TandemRuntime) -> None:
    """Wait for work spawned after the reply (a handoff's summary draft), so it neither
    competes with the next turn for the CPU nor lands in its numbers."""
    while runtime.background:
        for task in list(runtime.background):
            await task


def _record(trace: TurnTrace, background: TurnTrace, total: float,
            ttft: float | None) -> dict[str, Any]:
    model_s = trace.model_seconds
    nodes = {name: round(s, 4) for name, s in trace.nodes.items()}
    return {
        "calls": len(trace.calls),
        "prompt_tokens": sum(c.prompt_tokens for c in trace.calls),
        "completion_tokens": sum(c.completion_tokens for c in trace.calls),
        "cached_tokens": sum(c.cached_tokens for c in trace.calls),
        "cut_calls": sum(c.cut for c in trace.calls),
        "ttft_s": round(ttft if ttft is not None else total, 4),
        "total_s": round(total, 4),
        "model_s": round(model_s, 4),
        "outside_s": round(max(total - model_s, 0.0), 4),
        "nodes": nodes,
        "background_calls": len(background.calls),
        "background_prompt_tokens": sum(c.prompt_tokens for c in background.calls),
    }


async def run_tandem(settings: Settings, model: BaseChatModel,
                     conversations: list[Conversation], *, warm_up: str | None = None,
                     count_prompt: Callable[[list[BaseMessage]], int] | None = None,
                     ) -> list[dict[str, Any]]:
    """One record per turn, in order; `warm_up` is an unmeasured first turn."""
    recorder = LLMRecorder(count_prompt)
    records: list[dict[str, Any]] = []
    async with open_runtime(settings, model=model) as runtime:
        runtime.graph = runtime.graph.with_config(callbacks=[recorder])
        with session_scope(runtime.engine) as session:
            ids = [create_conversation(session=session, personalization=False,
                                       source="bench")[0].id
                   for _ in range(len(conversations) + 1)]
        if warm_up:
            await timed_turn(runtime, conversation_id=ids[-1], text=warm_up)
            await _settle(runtime)
            recorder.take()
        with Session(runtime.engine) as session:
            truth = StoreTruth(session, runtime.inventory)
            for conversation, conversation_id in zip(conversations, ids, strict=False):
                for index, turn in enumerate(conversation.turns):
                    done, ttft, total = await timed_turn(runtime, conversation_id=conversation_id,
                                                          text=turn.text)
                    trace = recorder.take()
                    await _settle(runtime)
                    background = recorder.take()
                    reply = done.get("reply", {})
                    cards = [s["name"] for s in reply.get("suggestions", [])]
                    verdict = judge(truth, turn.check, shopper=turn.text,
                                    reply=reply.get("text", ""), cards=cards,
                                    handed_off=done.get("route") == "human")
                    records.append({
                        "conversation": conversation.name, "kind": conversation.kind,
                        "turn": index + 1, "text": turn.text, "routine": turn.routine,
                        "check": turn.check.kind,
                        "intent": done.get("intent"), "reply": reply.get("text", ""),
                        "cards": cards, **_record(trace, background, total, ttft),
                        **verdict.as_dict(),
                    })
    return records
