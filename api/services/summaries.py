"""The AI-drafted handoff summary, written in the background after the shopper is answered.

The model only rephrases and organises: its draft is checked against the transcript (order
ids, amounts and tracking numbers it names must appear there) and scrubbed of payment
details and street addresses before it is stored beside the rule-based summary.  If the
model is slow, down or invents facts, the agent still has the rule-based summary.
"""

from __future__ import annotations

import asyncio
import logging

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from agent.fact_check import unsupported_facts
from agent.llm.structured import ask_json
from agent.privacy.redact import remove_payment_and_address
from api.db import session_scope
from api.models import Handoff, Message
from api.runtime import TandemRuntime

log = logging.getLogger(__name__)


class HandoffDraft(BaseModel):
    wants: str = Field(max_length=300)
    order_ids: list[str] = Field(default_factory=list, max_length=5)
    mood: str = Field(max_length=40)
    mood_evidence: str = Field(max_length=300)
    already_tried: str = Field(max_length=300)
    next_step: str = Field(max_length=300)
    reply_draft: str = Field(max_length=600)


def check_draft(draft: HandoffDraft, transcript: list[str]) -> HandoffDraft | None:
    """The draft with card numbers and addresses removed, or None when it states an order
    id, amount, email or tracking number that the transcript does not."""
    fields = draft.model_dump()
    texts = [v for v in fields.values() if isinstance(v, str)] + list(draft.order_ids)
    invented = unsupported_facts(texts, transcript)
    if invented:
        log.warning("AI summary dropped: not in the transcript: %s", "; ".join(invented))
        return None
    return HandoffDraft.model_validate(
        {k: remove_payment_and_address(v) if isinstance(v, str) else v for k, v in fields.items()})


def _transcript_lines(rt: TandemRuntime, handoff_id: str) -> list[str] | None:
    with Session(rt.engine) as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            return None
        messages = session.exec(select(Message).where(
            Message.conversation_id == handoff.conversation_id).order_by(col(Message.id))).all()
        return [f"{m.role}: {m.text}" for m in messages if m.text]


def _save_draft(rt: TandemRuntime, handoff_id: str, draft: HandoffDraft) -> None:
    with session_scope(rt.engine) as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is not None:
            handoff.summary = {**handoff.summary, "ai": draft.model_dump()}
            session.add(handoff)


async def draft_ai_summary(rt: TandemRuntime, handoff_id: str) -> None:
    model = await rt.models.get(wait_s=60.0)
    if model is None:
        return
    # Database work in a thread, off the event loop (see api/services/turns.py for why).
    lines = await asyncio.to_thread(_transcript_lines, rt, handoff_id)
    if lines is None:
        return
    prompt = [SystemMessage(rt.prompts.render("handoff_summary_system")),
              HumanMessage(rt.prompts.render("handoff_summary", transcript=lines[-12:]))]
    draft = await ask_json(model, prompt, HandoffDraft, timeout_s=rt.settings.llm_timeout_s)
    checked = check_draft(draft, [m.split(": ", 1)[1] for m in lines]) if draft else None
    if checked is None:
        log.info("no usable AI summary for handoff %s; the rule-based one stays", handoff_id)
        return
    await asyncio.to_thread(_save_draft, rt, handoff_id, checked)
