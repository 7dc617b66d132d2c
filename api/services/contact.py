"""A shopper leaves an email on their handoff, so a person can write back later."""

from __future__ import annotations

from sqlmodel import Session, col, select

from api.models import Conversation, ShopperContact
from api.services.conversations import current_handoff
from api.services.handoffs import OPEN_STATUSES


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
