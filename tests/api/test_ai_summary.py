"""The AI-drafted handoff summary: kept when faithful, dropped when it invents a fact, and
never holding a card number or street address. The scripted model stands in for the LLM
(its structured reply is the draft a real model would write)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.llm.scripted import ScriptedChatModel
from api.models import Handoff
from api.settings import Settings
from tests.conftest import api_client
from tests.helpers import say, start_chat

COMPLAINT = ("My order #R10001 arrived damaged. Refund the $139 to my card 4111 1111 1111 "
             "1111 please, or send a new one to 1200 NW Everett Street, Apt 4")


def _draft(**overrides: str | list[str]) -> str:
    draft: dict[str, Any] = {
        "wants": "A refund of $139 for order #R10001, which arrived damaged",
        "order_ids": ["#R10001"], "mood": "frustrated",
        "mood_evidence": "says the order arrived damaged",
        "already_tried": "nothing yet", "next_step": "Offer a refund or a replacement",
        "reply_draft": "I'm sorry your order #R10001 arrived damaged; I can refund $139.",
    }
    return json.dumps(draft | overrides)


async def _ai_summary(settings: Settings, engine: Engine, draft: str) -> dict[str, Any] | None:
    model = ScriptedChatModel(structured_replies=[draft])
    async with api_client(settings, model=model) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, COMPLAINT)
        assert turn["route"] == "human"
    # api_client waits for the background drafting before it returns.
    with Session(engine) as session:
        handoff = session.exec(select(Handoff).where(Handoff.conversation_id == chat.id)).one()
    ai = handoff.summary.get("ai")
    assert "4111" not in json.dumps(handoff.summary), "no card number in any summary"
    assert "Everett" not in json.dumps(handoff.summary), "no street address in any summary"
    return ai


async def test_a_faithful_draft_is_kept_for_the_agent(settings: Settings, engine: Engine) -> None:
    ai = await _ai_summary(settings, engine, _draft())
    assert ai is not None and ai["order_ids"] == ["#R10001"]
    assert ai["next_step"] == "Offer a refund or a replacement"


async def test_a_draft_that_invents_an_order_or_amount_is_dropped(
        settings: Settings, engine: Engine) -> None:
    assert await _ai_summary(settings, engine, _draft(order_ids=["#R10002"])) is None
    assert await _ai_summary(settings, engine, _draft(
        reply_draft="I can refund the $250 you paid.")) is None
    assert await _ai_summary(settings, engine, _draft(
        already_tried="Sent tracking 1Z999AA10123456784")) is None


async def test_card_numbers_and_addresses_are_removed_from_a_kept_draft(
        settings: Settings, engine: Engine) -> None:
    ai = await _ai_summary(settings, engine, _draft(
        wants="Refund to card 4111 1111 1111 1111 or a new one to 1200 NW Everett Street"))
    assert ai is not None
    assert ai["wants"] == "Refund to card [card number removed] or a new one to [address removed]"
