"""The shopper leaves a contact email on their handoff (when nobody is online to answer)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import SessionDep, ShopperConversation
from api.schemas import ContactIn, ContactOut
from api.services.contact import NoOpenHandoff, leave_contact

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


@router.post(
    "/{conversation_id}/contact", response_model=ContactOut,
    summary="Leave an email for the support team",
    description="Attaches the shopper's email to the conversation's open handoff so a person "
                "can write back when nobody is online. Sending it again replaces the address. "
                "409 when the conversation has no open handoff.",
    responses={409: {"description": "no open handoff in this conversation"}},
)
def leave_contact_email(conversation: ShopperConversation, body: ContactIn,
                        session: SessionDep) -> ContactOut:
    try:
        contact = leave_contact(session=session, conversation=conversation, email=body.email)
    except NoOpenHandoff as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    session.commit()  # in this thread, before the response is serialised (api/deps.py)
    return ContactOut(handoff_id=contact.handoff_id or "", email=contact.email)
