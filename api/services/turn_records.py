"""A turn's database side: the shopper's message and its turn state before the graph runs,
the reply after it, and the stranded turns a crash, an error or a shutdown left behind.

Every function runs in a worker thread (never on the event loop; see api/services/turns.py)
and is called with the conversation's turn lock held: a `pending` turn found under the lock
is one nobody is answering any more, so it is answered again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from agent.escalation import Triggers
from api.db import session_scope
from api.experiments.assignment import hold_for_person
from api.models import Conversation, Handoff, Message, Turn
from api.schemas import ReplyOut, TurnOut
from api.services.assignment import assign_round_robin
from api.services.contact import with_contact_offer
from api.services.conversations import current_handoff, handoff_ref, public_suggestions
from api.services.priority import handoff_urgency
from api.services.push import handoff_changed, message_posted
from api.services.staffing import staffing_facts
from api.settings import Settings
from domain.tables import utcnow

MAX_ATTEMPTS = 5
"""A stranded turn is answered again at most this often (then left `failed`, logged)."""


class TurnInProgress(RuntimeError):
    """The same message is still being answered (its lock could not be had in time)."""


class ConversationGone(LookupError):
    """The conversation no longer exists (deleted while the turn was queued)."""


@dataclass(frozen=True)
class TurnStart:
    """What the turn needs from the database before the graph runs."""
    shopper_id: int
    text: str
    """The stored message's text (a retried turn answers what was stored, not a resend)."""
    personalization: bool
    customer_id: str | None
    staffing: dict[str, Any]
    answered: TurnOut | None
    """Already answered (a resend) or not for the assistant (a person owns it)."""
    attempt: int = 1


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


def stored_turn(session: Session, conversation: Conversation, shopper: Message) -> TurnOut:
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


def _answered(session: Session, conversation: Conversation, shopper: Message,
              settings: Settings) -> TurnOut:
    out = stored_turn(session, conversation, shopper)
    out.handoff = with_contact_offer(session=session, settings=settings, ref=out.handoff)
    return out


def _retry(session: Session, shopper: Message, turn: Turn | None) -> int:
    """Take a stranded (pending or failed) turn up again; returns its attempt number."""
    if turn is None:  # a message stored before turns were tracked
        turn = Turn(message_id=shopper.id or 0, conversation_id=shopper.conversation_id,
                    attempts=0)
    turn.status, turn.started_at, turn.error = "pending", utcnow(), None
    turn.attempts += 1
    session.add(turn)
    return turn.attempts


def _start(session: Session, settings: Settings, conversation: Conversation,
           shopper: Message, *, answered: TurnOut | None, attempt: int) -> TurnStart:
    staffing = {} if answered else staffing_facts(session=session, settings=settings)
    return TurnStart(shopper_id=shopper.id or 0, text=shopper.text,
                     personalization=conversation.personalization,
                     customer_id=conversation.customer_id, staffing=staffing,
                     answered=answered, attempt=attempt)


def begin_turn(engine: Engine, settings: Settings, *, conversation_id: str, text: str,
               client_message_id: str | None) -> TurnStart:
    """Store the message (idempotent by `client_message_id`) with its turn `pending`."""
    with session_scope(engine) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise ConversationGone(conversation_id)
        shopper, is_new = _record_shopper_message(session, conversation, text, client_message_id)
        if not is_new:
            turn = session.get(Turn, shopper.id)
            if shopper.route == "human" or (turn is not None and turn.status == "answered") \
                    or (turn is None and _has_reply(session, shopper)):
                return _start(session, settings, conversation, shopper,
                              answered=_answered(session, conversation, shopper, settings),
                              attempt=0)
            attempt = _retry(session, shopper, turn)
            return _start(session, settings, conversation, shopper, answered=None,
                          attempt=attempt)
        held = hold_for_person(session, conversation.id)  # an experiment's control group
        if held is not None:
            message_posted(session, held.notice)
            handoff_changed(session, held.handoff)
            assign_round_robin(session=session, settings=settings, handoff=held.handoff)
        if conversation.mode == "human":
            # A person owns this conversation: keep the message for them, say nothing.
            shopper.route = "human"
            conversation.updated_at = utcnow()
            session.add_all([shopper, conversation, Turn(
                message_id=shopper.id or 0, conversation_id=conversation.id,
                status="answered", finished_at=utcnow())])
            message_posted(session, shopper)
            return _start(session, settings, conversation, shopper,
                          answered=_answered(session, conversation, shopper, settings),
                          attempt=0)
        session.add(Turn(message_id=shopper.id or 0, conversation_id=conversation.id))
        return _start(session, settings, conversation, shopper, answered=None, attempt=1)


def _has_reply(session: Session, shopper: Message) -> bool:
    return session.exec(select(Message.id).where(Message.reply_to == shopper.id)).first() \
        is not None


def begin_stranded(engine: Engine, settings: Settings, *, message_id: int) -> TurnStart | None:
    """Take up a stranded turn found by the sweep; None if it was answered meanwhile."""
    with session_scope(engine) as session:
        turn = session.get(Turn, message_id)
        shopper = session.get(Message, message_id)
        conversation = session.get(Conversation, turn.conversation_id) if turn else None
        if turn is None or shopper is None or conversation is None \
                or turn.status == "answered" or turn.attempts >= MAX_ATTEMPTS:
            return None
        attempt = _retry(session, shopper, turn)
        return _start(session, settings, conversation, shopper, answered=None,
                      attempt=attempt)


def stranded_turns(engine: Engine, *, limit: int = 50) -> list[tuple[int, str]]:
    """(message id, conversation id) of turns not answered, oldest first."""
    with Session(engine) as session:
        rows = session.exec(select(Turn.message_id, Turn.conversation_id).where(
            col(Turn.status).in_(("pending", "failed")), col(Turn.attempts) < MAX_ATTEMPTS,
        ).order_by(col(Turn.started_at)).limit(limit)).all()
        return [(int(m), str(c)) for m, c in rows]


def mark_failed(engine: Engine, *, shopper_id: int, error: str) -> None:
    """Best effort (the database may be what failed): a pending turn is retried anyway."""
    with session_scope(engine) as session:
        turn = session.get(Turn, shopper_id)
        if turn is not None and turn.status != "answered":
            turn.status, turn.error = "failed", error[:200]
            session.add(turn)


def finish_turn(engine: Engine, settings: Settings, triggers: Triggers, *,
                conversation_id: str, shopper_id: int, final: dict[str, Any],
                staffing: dict[str, Any]) -> TurnOut:
    """The reply, the turn `answered` and their events, in one transaction."""
    with session_scope(engine) as session:
        turn = _persist_reply(session, settings, conversation_id, shopper_id, final, triggers)
        turn.handoff = with_contact_offer(session=session, settings=settings,
                                          ref=turn.handoff, online=staffing.get("online"))
        return turn


def _persist_reply(session: Session, settings: Settings, conversation_id: str,
                   shopper_id: int, final: dict[str, Any], triggers: Triggers) -> TurnOut:
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
    turn = session.get(Turn, shopper_id) or Turn(message_id=shopper_id,
                                                 conversation_id=conversation_id)
    turn.status, turn.finished_at = "answered", utcnow()
    session.add(turn)
    session.flush()
    message_posted(session, reply, in_handoff=False)
    if handoff is not None:
        handoff_changed(session, handoff)
        assign_round_robin(session=session, settings=settings, handoff=handoff)
    return TurnOut(
        message_id=shopper_id, reply_message_id=reply.id,
        reply=ReplyOut(text=reply.text, suggestions=public_suggestions(reply.suggestions)),
        route=route, intent=final.get("intent") or "smalltalk",
        handoff=handoff_ref(session=session, handoff=handoff),
    )
