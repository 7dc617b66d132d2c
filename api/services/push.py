"""What happened, as events: a message posted, a handoff changed.  Called by the services
in the transaction that made the change, so an event exists exactly when its change does."""

from __future__ import annotations

from sqlmodel import Session

from api.live.events import record_event
from api.models import Handoff, Message, SupportAgent
from api.schemas import TranscriptMessage
from api.services.conversations import current_handoff, public_suggestions


def message_posted(session: Session, message: Message, *, in_handoff: bool = True) -> None:
    """A message the shopper should see (a reply, an agent's words, a system note), in the
    transcript's own shape; the console learns that its handoff has something new.
    `in_handoff=False`: the caller knows no handoff is open (saves a query per turn)."""
    session.flush()
    data = TranscriptMessage(
        id=message.id or 0, role=message.role, text=message.text, author=message.author,
        client_message_id=message.client_message_id,
        suggestions=public_suggestions(message.suggestions), created_at=message.created_at,
    ).model_dump(mode="json")
    if message.role != "shopper":
        record_event(session, conversation_id=message.conversation_id, audience="shopper",
                     kind="message", data=data)
    if not in_handoff:
        return
    handoff = current_handoff(session=session, conversation_id=message.conversation_id)
    if handoff is not None and handoff.status in ("open", "claimed"):
        record_event(session, conversation_id=message.conversation_id, audience="console",
                     kind="message", data={"handoff_id": handoff.id,
                                           "message_id": message.id, "role": message.role})


def handoff_changed(session: Session, handoff: Handoff) -> None:
    """A handoff opened, claimed or closed: the shopper's widget and the console queue."""
    session.flush()
    agent = session.get(SupportAgent, handoff.agent_id) if handoff.agent_id else None
    shown = {"id": handoff.id, "status": handoff.status,
             "agent_name": agent.display_name if agent else None}
    record_event(session, conversation_id=handoff.conversation_id, audience="shopper",
                 kind="handoff", data=shown)
    record_event(session, conversation_id=handoff.conversation_id, audience="console",
                 kind="queue", data={"handoff_id": handoff.id, "status": handoff.status,
                                     "priority": handoff.priority,
                                     "agent_id": handoff.agent_id})
