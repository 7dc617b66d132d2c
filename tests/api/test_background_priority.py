"""A shopper never waits behind background work: while the AI summary of an earlier handoff
holds the only generation slot, a shopper who writes gets a real model reply at once, not
"one moment", and the summary is drafted afterwards.

The slow local model is a scripted stand-in (no real model runs): its first summary draft
takes as long as the test wants (an hour, unless it is stopped), like a 600-token draft on
two CPU cores; `bench/background_priority.py` measures the same with the embedded model.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import PrivateAttr
from sqlmodel import Session, select

from agent.llm.scripted import ScriptedChatModel
from api.models import Handoff
from api.settings import Settings
from tests.conftest import api_client
from tests.helpers import say, start_chat

DRAFT = json.dumps({
    "wants": "A refund for order #R10001, which arrived damaged", "order_ids": ["#R10001"],
    "mood": "frustrated", "mood_evidence": "says the order arrived damaged",
    "already_tried": "nothing yet", "next_step": "Offer a refund or a replacement",
    "reply_draft": "I'm sorry your order #R10001 arrived damaged."})
REPLY = "Here is what I found for you."


class SlowSummaryModel(ScriptedChatModel):
    """Shopper replies at once; the first summary draft runs until it is stopped."""

    _drafting: asyncio.Event = PrivateAttr(default_factory=asyncio.Event)
    _drafts_started: int = PrivateAttr(default=0)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: Any = None, **kwargs: Any
                       ) -> AsyncIterator[ChatGenerationChunk]:
        if self._is_structured(kwargs):
            self._drafts_started += 1
            if self._drafts_started == 1:
                self._drafting.set()
                await asyncio.sleep(3600)
        async for chunk in super()._astream(messages, stop, run_manager, **kwargs):
            yield chunk


async def test_a_shopper_is_answered_by_the_model_while_a_summary_is_drafting(
        settings: Settings) -> None:
    one_slot = settings.model_copy(update={
        "llm_max_concurrent": 1, "llm_queue_max": 0, "llm_queue_wait_s": 3.0,
        "llm_timeout_s": 30.0})
    model = SlowSummaryModel(default_reply=REPLY, structured_replies=[DRAFT, DRAFT])
    async with api_client(one_slot, model=model) as client:
        upset = await start_chat(client)
        handed = await say(client, upset, "My order #R10001 arrived damaged, I want a refund")
        assert handed["route"] == "human"
        await asyncio.wait_for(model._drafting.wait(), timeout=10)  # the summary holds the slot

        shopper = await start_chat(client)
        turn = await say(client, shopper, "waterproof hiking jacket under $200, size M")

        # Without priorities this shopper waited out llm_queue_wait_s behind the draft and
        # got "One moment: lots of shoppers are asking right now".
        assert turn["reply"]["text"] == REPLY, "a real model reply, not 'one moment'"
        health = (await client.get("/healthz")).json()["generations"]
        assert health["rejected_queue_full"] == health["rejected_wait"] == 0
        assert health["by_priority"]["background"]["preempted"] == 1
        shopper_lane = health["by_priority"]["shopper"]
        assert shopper_lane["admitted"] == shopper_lane["queued"] == 1  # it did have to wait
        engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    # api_client waits for the background work: the summary ran again once the slot was free.
    with Session(engine) as session:
        handoff = session.exec(select(Handoff).where(Handoff.conversation_id == upset.id)).one()
    assert handoff.summary["ai"]["order_ids"] == ["#R10001"]
    assert model._drafts_started == 2
