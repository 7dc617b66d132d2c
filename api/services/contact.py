"""A shopper leaves an email on their handoff, so a person can write back later."""

from __future__ import annotations

from sqlmodel import Session, col, select

from api.models import Conversation, ShopperContact
from api.schemas import HandoffRef
from api.services.conversations import current_handoff
from api.services.handoffs import OPEN_STATUSES
from api.services.staffing import agents_online
from api.settings import Settings


class NoOpenHandoff(LookupError):
    """The conversation has no handoff waiting for a person."""


def leave_contact(*, session: Session, conversation: Conversation,
                  email: str) -> ShopperContact:
    """Attach (or replace) the contact email on the conversation's open handoff."""
    handoff = current_handoff(session=session, conversation_id=conversation.id)
    if handoff is None or handoff.status not in OPEN_STATUSES:
        raise NoOpenHandoff("there is no open handoff in this conversation to leave an email on")
    contact = contact_for(session=session, handoff_id=handoff.id)
    if contact is None:
        contact = ShopperContact(conversation_id=conversation.id, handoff_id=handoff.id,
                                 email=email)
    contact.email = email
    session.add(contact)
    session.flush()
    return contact


def contact_for(*, session: Session, handoff_id: str) -> ShopperContact | None:
    return session.exec(select(ShopperContact).where(ShopperContact.handoff_id == handoff_id)
                        .order_by(col(ShopperContact.id).desc())).first()


def with_contact_offer(*, session: Session, settings: Settings, ref: HandoffRef | None,
                       online: bool | None = None) -> HandoffRef | None:
    """The handoff as the shopper sees it: whether to offer the email form, and the email
    already left.  The form is offered exactly when the handoff reply says "leave your email"
    (prompts/fallback.j2): the handoff waits for a person and nobody is online.  `online`
    is the staffing fact the turn already read; None reads it now."""
    if ref is None:
        return None
    contact = contact_for(session=session, handoff_id=ref.id)
    waiting = ref.status in OPEN_STATUSES and ref.agent_name is None
    if waiting and online is None:
        online = agents_online(session=session, within_minutes=settings.agent_online_minutes) > 0
    return ref.model_copy(update={"contact_wanted": waiting and not online,
                                  "contact_email": contact.email if contact else None})
