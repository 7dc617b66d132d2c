"""One shopper turn: persist the message, run the graph, persist the reply (and handoff).

The flow reads straight through: route -> this service -> graph -> this service -> route.
Resending a `client_message_id` returns the first answer instead of a second turn.  While a
person owns the conversation the graph is not run at all: the assistant stays silent.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.messages import HumanMessage
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from agent.context import TandemContext
from agent.escalation import Triggers
from api.db import session_scope
from api.experiments.assignment import hold_for_person
from api.experiments.variants import variant_context
from api.models import Conversation, Handoff, Message
from api.runtime import TandemRuntime
from api.schemas import ReplyOut, TurnOut
from api.services.contact import with_contact_offer
from api.services.conversations import current_handoff, handoff_ref, public_suggestions
from api.services.priority import handoff_urgency
from api.services.staffing import staffing_facts
from api.services.summaries import draft_ai_summary
from domain.tables import utcnow

log = logging.getLogger(__name__)
MODEL_WAIT_S = 60.0
_locks: dict[str, asyncio.Lock] = {}


class TurnInProgress(RuntimeError):
    """The same client_message_id is still being answered."""


class ConversationGone(LookupError):
    """The conversation no longer exists (deleted while the turn was queued)."""


@dataclass(frozen=True)
class TurnEvent:
    kind: Literal["token", "reset", "done"]
    data: dict[str, Any]


def _record_shopper_message(session: Session, conversation: Conversation, text: str,
                            client_message_id: str | None) -> tuple[Message, bool]:
    """(message, is_new).  A unique constraint makes concurrent resends safe."""
    if client_message_id is not None:
        existing = session.exec(select(Message).where(
            Message.conversation_id == conversation.id,
            Message.client_message_id == client_message_id)).first()
        if existing is not None:
            return existing, False
    message = Message(conversation_id=conversation.id, role="shopper", text=text,
                      client_message_id=client_message_id)
    session.add(message)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = session.exec(select(Message).where(
            Message.conversation_id == conversation.id,
            Message.client_message_id == client_message_id)).one()
        return existing, False
    return message, True


def _stored_turn(session: Session, conversation: Conversation, shopper: Message) -> TurnOut:
    handoff = handoff_ref(session=session, handoff=current_handoff(
        session=session, conversation_id=conversation.id))
    if shopper.route == "human":
        return TurnOut(message_id=shopper.id or 0, reply=ReplyOut(text=""), route="human",
                       intent="handoff", handoff=handoff)
    reply = session.exec(select(Message).where(Message.reply_to == shopper.id)).first()
    if reply is None:
        raise TurnInProgress("this message is still being answered; try again shortly")
    return TurnOut(
        message_id=shopper.id or 0, reply_message_id=reply.id,
        reply=ReplyOut(text=reply.text, suggestions=public_suggestions(reply.suggestions)),
        route="human" if reply.route == "human" else "assistant",
        intent=reply.intent or "smalltalk",
        handoff=handoff if reply.route == "human" else None,
    )


async def run_turn(rt: TandemRuntime, *, conversation_id: str, text: str,
                   client_message_id: str | None) -> AsyncIterator[TurnEvent]:
    lock = _locks.setdefault(conversation_id, asyncio.Lock())
    async with lock:
        async for event in _run_turn_locked(rt, conversation_id, text, client_message_id):
            yield event


@dataclass(frozen=True)
class _TurnStart:
    """What the turn needs from the database before the graph runs."""
    shopper_id: int
    personalization: bool
    customer_id: int | None
    staffing: dict[str, Any]
    answered: TurnOut | None
    """Already answered (a resend) or not for the assistant (a person owns it)."""


def _begin_turn(rt: TandemRuntime, conversation_id: str, text: str,
                client_message_id: str | None) -> _TurnStart:
    answered: TurnOut | None = None
    with session_scope(rt.engine) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise ConversationGone(conversation_id)
        shopper, is_new = _record_shopper_message(session, conversation, text, client_message_id)
        if is_new:  # in an experiment's no-assistant group the message goes to a person
            hold_for_person(session, conversation.id)
        if not is_new:
            answered = _stored_turn(session, conversation, shopper)
        elif conversation.mode == "human":
            # A person owns this conversation: keep the message for them, say nothing.
            shopper.route = "human"
            conversation.updated_at = utcnow()
            session.add_all([shopper, conversation])
            session.flush()
            answered = _stored_turn(session, conversation, shopper)
        staffing = {} if answered else staffing_facts(session=session, settings=rt.settings)
        if answered is not None:
            answered.handoff = with_contact_offer(session=session, settings=rt.settings,
                                                  ref=answered.handoff)
        return _TurnStart(shopper_id=shopper.id or 0,
                          personalization=conversation.personalization,
                          customer_id=conversation.customer_id, staffing=staffing,
                          answered=answered)


def _finish_turn(rt: TandemRuntime, conversation_id: str, shopper_id: int,
                 final: dict[str, Any], staffing: dict[str, Any]) -> TurnOut:
    with session_scope(rt.engine) as session:
        turn = _persist_reply(session, conversation_id, shopper_id, final, rt.policy.triggers)
        turn.handoff = with_contact_offer(session=session, settings=rt.settings,
                                          ref=turn.handoff, online=staffing.get("online"))
        return turn


async def _run_turn_locked(rt: TandemRuntime, conversation_id: str, text: str,
                           client_message_id: str | None) -> AsyncIterator[TurnEvent]:
    started = time.perf_counter()
    # Database work runs in a worker thread, never on the event loop: on SQLite a write that
    # waits for the lock on the loop would also stop the checkpointer (whose connection
    # commits through the loop) from releasing it, and every turn would stall for the whole
    # busy timeout.  Never yield inside a transaction either: a client that stops listening
    # would roll it back.
    begun = await asyncio.to_thread(_begin_turn, rt, conversation_id, text, client_message_id)
    if begun.answered is not None:
        yield TurnEvent("done", begun.answered.model_dump())
        return
    shopper_id, staffing = begun.shopper_id, begun.staffing
    personalization, customer_id = begun.personalization, begun.customer_id
    context = TandemContext(
        engine=rt.engine, inventory=rt.inventory,
        model=await rt.models.get(MODEL_WAIT_S), policy=rt.policy, prompts=rt.prompts,
        store_policy=rt.store_policy,
        region=rt.settings.shopper_region, max_suggestions=rt.settings.max_suggestions,
        llm_timeout_s=rt.settings.llm_timeout_s, customer_id=customer_id,
        personalization=personalization, staffing=staffing, reply_checks=rt.reply_checks,
    )
    context = await variant_context(rt, conversation_id, context)  # an experiment's variant

    config = {"configurable": {"thread_id": conversation_id}}
    # The message id makes a retried turn replace, not duplicate, the checkpointed message.
    turn_input = {"messages": [HumanMessage(content=text, id=f"shopper-{shopper_id}")]}
    final: dict[str, Any] = {}
    try:
        async for mode, chunk in rt.graph.astream(turn_input, config, context=context,
                                                  stream_mode=["custom", "values"]):
            if mode == "custom" and "token" in chunk:
                yield TurnEvent("token", {"text": chunk["token"]})
            elif mode == "custom" and chunk.get("reset"):
                yield TurnEvent("reset", {})
            elif mode == "values":
                final = chunk
    except Exception:
        log.exception("graph failed for conversation %s", conversation_id)
        final = {"reply": rt.prompts.render("error_reply"), "intent": "smalltalk",
                 "route": "assistant", "suggestions": []}
        yield TurnEvent("token", {"text": final["reply"]})

    try:
        turn = await asyncio.to_thread(_finish_turn, rt, conversation_id, shopper_id, final,
                                       staffing)
    except ConversationGone:
        # Erased while the graph ran: drop the checkpoint this turn just wrote, so a late
        # message never brings any of the conversation back.
        await rt.graph.checkpointer.adelete_thread(conversation_id)  # type: ignore[union-attr]
        raise
    if turn.handoff is not None:
        # Drafted after the commit and after the shopper's answer: it may take a while.
        rt.spawn(draft_ai_summary(rt, turn.handoff.id))
    log.info("turn conversation=%s intent=%s route=%s suggestions=%d seconds=%.3f llm=%s",
             conversation_id, turn.intent, turn.route, len(turn.reply.suggestions),
             time.perf_counter() - started, final.get("facts", {}).get("_llm"))
    yield TurnEvent("done", turn.model_dump())


async def timed_turn(rt: TandemRuntime, *, conversation_id: str, text: str
                     ) -> tuple[dict[str, Any], float | None, float]:
    """One turn run to its end, for evals and the bench: (the final turn as the API returns
    it, seconds to the first streamed token or None if nothing streamed, seconds in all)."""
    started = time.perf_counter()
    first: float | None = None
    done: dict[str, Any] = {}
    async for event in run_turn(rt, conversation_id=conversation_id, text=text,
                                client_message_id=uuid.uuid4().hex):
        if event.kind == "token" and first is None:
            first = time.perf_counter() - started
        elif event.kind == "done":
            done = event.data
    return done, first, time.perf_counter() - started


def _persist_reply(session: Session, conversation_id: str, shopper_id: int,
                   final: dict[str, Any], triggers: Triggers) -> TurnOut:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise ConversationGone(conversation_id)
    route = "human" if final.get("intent") == "handoff" else "assistant"
    reply = Message(conversation_id=conversation_id, role="assistant",
                    text=final.get("reply", ""), reply_to=shopper_id,
                    intent=final.get("intent"), route=route,
                    suggestions=final.get("suggestions", []))
    session.add(reply)
    handoff: Handoff | None = None
    if route == "human":
        verdict = final.get("verdict") or {}
        urgency = handoff_urgency(session, triggers=triggers,
                                  customer_id=conversation.customer_id,
                                  priority=verdict.get("priority") or 3,
                                  reasons=verdict.get("reasons", []))
        handoff = Handoff(
            id=str(uuid.uuid4()), conversation_id=conversation_id,
            priority=urgency.priority, rule=verdict.get("rule") or "unknown",
            reasons=urgency.reasons, mood=verdict.get("mood", "neutral"),
            summary=final.get("handoff_summary") or {},
        )
        conversation.mode = "human"
        session.add(handoff)
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.flush()
    return TurnOut(
        message_id=shopper_id, reply_message_id=reply.id,
        reply=ReplyOut(text=reply.text, suggestions=public_suggestions(reply.suggestions)),
        route=route, intent=final.get("intent") or "smalltalk",
        handoff=handoff_ref(session=session, handoff=handoff),
    )
