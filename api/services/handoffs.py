"""The support agents' side of a handoff: queue, claim, reply, resolve, hand back."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.models import Conversation, Handoff, Message, SupportAgent
from api.schemas import HandoffOut
from api.security import hash_password, verify_password
from api.services.push import handoff_changed, message_posted
from domain.tables import utcnow

OPEN_STATUSES = ("open", "claimed")


class HandoffConflict(RuntimeError):
    """The handoff is not in a state that allows this action (e.g. claimed by someone else)."""


def authenticate_agent(*, session: Session, username: str, password: str) -> SupportAgent | None:
    agent = session.exec(select(SupportAgent).where(SupportAgent.username == username)).first()
    if agent is None or not verify_password(password, agent.password_hash):
        return None
    return agent


def create_agent(*, session: Session, username: str, password: str, display_name: str,
                 is_admin: bool = False) -> SupportAgent:
    agent = SupportAgent(username=username, display_name=display_name,
                         password_hash=hash_password(password), is_admin=is_admin)
    session.add(agent)
    session.flush()
    return agent


def handoff_out(session: Session, handoff: Handoff) -> HandoffOut:
    agent = session.get(SupportAgent, handoff.agent_id) if handoff.agent_id else None
    return HandoffOut(
        id=handoff.id, conversation_id=handoff.conversation_id, status=handoff.status,
        priority=handoff.priority, rule=handoff.rule, reasons=handoff.reasons,
        mood=handoff.mood, summary=handoff.summary,
        agent_name=agent.display_name if agent else None, created_at=handoff.created_at,
        waiting_seconds=int((utcnow() - handoff.created_at).total_seconds()),
    )


def open_handoffs(*, session: Session) -> list[HandoffOut]:
    """Open and claimed handoffs, most urgent first, then longest waiting."""
    rows = session.exec(select(Handoff).where(col(Handoff.status).in_(OPEN_STATUSES))
                        .order_by(col(Handoff.priority), col(Handoff.created_at))).all()
    return [handoff_out(session, h) for h in rows]


def claim(*, session: Session, handoff_id: str, agent: SupportAgent) -> Handoff:
    """Claim an open handoff.  One conditional UPDATE: of two agents claiming at once,
    exactly one wins and the other gets `HandoffConflict`."""
    result = session.execute(
        update(Handoff).where(col(Handoff.id) == handoff_id, col(Handoff.status) == "open")
        .values(status="claimed", agent_id=agent.id, claimed_at=utcnow()))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise HandoffConflict("this handoff is already claimed or closed")
    handoff = session.get(Handoff, handoff_id)
    assert handoff is not None
    session.refresh(handoff)
    joined = Message(conversation_id=handoff.conversation_id, role="system",
                     text=f"{agent.display_name} from our team has joined the chat.",
                     author=agent.display_name)
    session.add(joined)
    handoff_changed(session, handoff)
    message_posted(session, joined)
    return handoff


def _owned(session: Session, handoff_id: str, agent: SupportAgent) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None or handoff.status != "claimed" or handoff.agent_id != agent.id:
        raise HandoffConflict("claim this handoff before acting on it")
    return handoff


def reply(*, session: Session, handoff_id: str, agent: SupportAgent, text: str) -> Message:
    handoff = _owned(session, handoff_id, agent)
    message = Message(conversation_id=handoff.conversation_id, role="agent", text=text,
                      author=agent.display_name)
    session.add(message)
    session.flush()
    message_posted(session, message)
    return message


def close(*, session: Session, handoff_id: str, agent: SupportAgent, status: str,
          reason: str | None) -> Handoff:
    """Resolve (the person finished) or return (the assistant takes over again)."""
    handoff = _owned(session, handoff_id, agent)
    handoff.status, handoff.resolution, handoff.closed_at = status, reason, utcnow()
    conversation = session.get(Conversation, handoff.conversation_id)
    assert conversation is not None
    conversation.mode = "assistant"
    note = ("You're back with the shopping assistant." if status == "returned"
            else "This conversation was resolved by our team.")
    closing = Message(conversation_id=conversation.id, role="system", text=note)
    session.add_all([handoff, conversation, closing])
    message_posted(session, closing)
    handoff_changed(session, handoff)
    return handoff
