"""Conversations: create, authenticate, read the transcript, change privacy settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from api.customer_tokens import CustomerClaims
from api.models import ConsentEvent, Conversation, Handoff, Message, SupportAgent
from api.schemas import HandoffRef, SuggestionOut, TranscriptMessage, TranscriptOut
from api.security import hash_token, new_token, token_matches
from domain.tables import utcnow

PUBLIC_SUGGESTION_FIELDS = set(SuggestionOut.model_fields)


def create_conversation(*, session: Session, personalization: bool, source: str = "api",
                        claims: CustomerClaims | None = None, lifetime_hours: int = 168,
                        ) -> tuple[Conversation, str]:
    """A new conversation and its bearer token (returned once, stored only as a hash),
    valid for `lifetime_hours`.

    `claims` only from a verified customer token: they open the customer's orders, and the
    conversation's token ends when the sign-in does (on a shared browser, the next person
    must not find the previous customer's conversation)."""
    token = new_token()
    now = utcnow()
    expires_at = now + timedelta(hours=lifetime_hours)
    if claims is not None:
        expires_at = min(expires_at, claims.expires_at)
    conversation = Conversation(id=str(uuid.uuid4()), token_hash=hash_token(token),
                                personalization=personalization, created_at=now,
                                updated_at=now, expires_at=expires_at,
                                customer_id=claims.customer_id if claims else None)
    session.add(conversation)
    session.flush()
    session.add(ConsentEvent(conversation_id=conversation.id, personalization=personalization,
                             source=source))
    return conversation, token


def conversation_for_token(*, session: Session, conversation_id: str,
                           token: str) -> Conversation | None:
    """The conversation if the token is its own and still open; None for unknown ids, wrong
    tokens and ended ones alike."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not token_matches(token, conversation.token_hash) \
            or not token_open(conversation):
        return None
    return conversation


def token_open(conversation: Conversation, now: datetime | None = None) -> bool:
    """Whether the conversation's token still opens it (not past its lifetime or the
    sign-in's expiry, not signed out)."""
    if conversation.expires_at is None:
        return False
    expires = conversation.expires_at
    if expires.tzinfo is None:  # SQLite hands back naive datetimes, stored in UTC
        expires = expires.replace(tzinfo=UTC)
    return (now or utcnow()) < expires


def current_handoff(*, session: Session, conversation_id: str) -> Handoff | None:
    return session.exec(
        select(Handoff).where(Handoff.conversation_id == conversation_id)
        .order_by(col(Handoff.created_at).desc())
    ).first()


def handoff_ref(*, session: Session, handoff: Handoff | None) -> HandoffRef | None:
    if handoff is None:
        return None
    agent = session.get(SupportAgent, handoff.agent_id) if handoff.agent_id else None
    return HandoffRef(id=handoff.id, status=handoff.status,
                      agent_name=agent.display_name if agent else None)


def public_suggestions(raw: list[dict[str, object]]) -> list[SuggestionOut]:
    """Suggestions as the shopper sees them: stored evidence stays internal."""
    return [SuggestionOut.model_validate({k: v for k, v in s.items()
                                          if k in PUBLIC_SUGGESTION_FIELDS}) for s in raw]


def transcript(*, session: Session, conversation: Conversation,
               after: int | None = None) -> TranscriptOut:
    query = select(Message).where(Message.conversation_id == conversation.id)
    if after is not None:
        query = query.where(col(Message.id) > after)
    messages = session.exec(query.order_by(col(Message.id))).all()
    return TranscriptOut(
        id=conversation.id, mode=conversation.mode, personalization=conversation.personalization,
        messages=[TranscriptMessage(id=m.id or 0, role=m.role, text=m.text, author=m.author,
                                    client_message_id=m.client_message_id,
                                    suggestions=public_suggestions(m.suggestions),
                                    created_at=m.created_at) for m in messages],
        handoff=handoff_ref(session=session, handoff=current_handoff(
            session=session, conversation_id=conversation.id)),
    )


def set_personalization(*, session: Session, conversation: Conversation, enabled: bool,
                        source: str) -> Conversation:
    """Switch personalisation and record the change with its time and source."""
    conversation.personalization = enabled
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.add(ConsentEvent(conversation_id=conversation.id, personalization=enabled,
                             source=source))
    return conversation
