"""The AI-drafted handoff summary, written in the background after the shopper is answered.

It is background work: the model call goes behind every shopper's reply in the generation
queue (agent/llm/limits.py), waits for a free slot however long that takes (up to
`SUMMARY_BUDGET_S`), and is stopped and started again when a shopper needs its slot.

The model only rephrases and organises: its draft is checked against the transcript (order
ids, amounts and tracking numbers it names must appear there; the reply it drafts for the
agent only what the store itself said, and no commitment) and scrubbed of payment
details and street addresses before it is stored beside the rule-based summary.  If the
model is slow, down or invents facts, the agent still has the rule-based summary.
"""

from __future__ import annotations

import asyncio
import logging
import re

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from agent.commitments import commitments_in
from agent.fact_check import unsupported_facts
from agent.llm.limits import background
from agent.llm.structured import ask_json
from agent.privacy.redact import remove_payment_and_address
from api.db import session_scope
from api.models import Handoff, Message
from api.runtime import TandemRuntime

log = logging.getLogger(__name__)
SUMMARY_BUDGET_S = 600.0
"""The longest a draft may take, waiting for free slots included: shoppers go first, so on
a busy server it waits; past this the agent keeps the rule-based summary.  Each generation
itself is still bounded by the model's own timeout (`TANDEM_LLM_TIMEOUT_S`)."""


class HandoffDraft(BaseModel):
    wants: str = Field(max_length=300)
    order_ids: list[str] = Field(default_factory=list, max_length=5)
    mood: str = Field(max_length=40)
    mood_evidence: str = Field(max_length=300)
    already_tried: str = Field(max_length=300)
    next_step: str = Field(max_length=300)
    reply_draft: str = Field(max_length=600)


def check_draft(draft: HandoffDraft, transcript: list[str],
                store_said: list[str] | None = None) -> HandoffDraft | None:
    """The draft with card numbers and addresses removed, or None when it states an order
    id, amount, email or tracking number that the transcript does not.

    The reply draft goes into the agent's reply box and out in the store's name, so it may
    only state facts the store itself said (`store_said`: the assistant's and the team's
    messages), never the shopper's claims, and may commit the store to nothing
    (agent/commitments.py); otherwise it is left out and the agent writes their own."""
    fields = draft.model_dump()
    texts = [v for v in fields.values() if isinstance(v, str)] + list(draft.order_ids)
    invented = unsupported_facts(texts, transcript)
    if invented:
        log.warning("AI summary dropped: not in the transcript: %s", "; ".join(invented))
        return None
    # Order ids the shopper gave may be named (they identify, they claim nothing).
    vouched = [*(store_said or []), *_ORDER_ID.findall(" ".join(transcript))]
    claimed = unsupported_facts([draft.reply_draft], vouched)
    promised = commitments_in(draft.reply_draft)
    problem = ("repeats the shopper's " + ", ".join(claimed[:2]) if claimed
               else "commits the store: " + "; ".join(promised[:2]) if promised else None)
    if draft.reply_draft and problem:
        log.warning("AI reply draft left out: %s", problem)
        fields["reply_draft"] = ""
    return HandoffDraft.model_validate(
        {k: remove_payment_and_address(v) if isinstance(v, str) else v for k, v in fields.items()})


_STORE_ROLES = ("assistant: ", "agent: ", "system: ")
_ORDER_ID = re.compile(r"#?\b[A-Z]\d{5,8}\b")


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
    draft = await ask_json(background(model), prompt, HandoffDraft, timeout_s=SUMMARY_BUDGET_S)
    store_said = [m.split(": ", 1)[1] for m in lines if m.startswith(_STORE_ROLES)]
    checked = check_draft(draft, [m.split(": ", 1)[1] for m in lines], store_said) \
        if draft else None
    if checked is None:
        log.info("no usable AI summary for handoff %s; the rule-based one stays", handoff_id)
        return
    await asyncio.to_thread(_save_draft, rt, handoff_id, checked)
