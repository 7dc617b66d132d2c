"""What the agent console shows: the queue with SLA clocks, one handoff's whole story, notes.

Claiming, replying, resolving and handing back go through `api.services.handoffs`, shared
with the JSON agent API; this module only reads and adds the console's own records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from api.models import AnswerFlag, Handoff, HandoffNote, Message, ShopperContact, SupportAgent
from api.schemas import HandoffOut
from api.services import handoffs
from api.services.contact import contact_for
from api.settings import Settings
from domain.tables import utcnow

MAX_NOTE_CHARS = 2000


class ConsoleInputError(ValueError):
    """A console form was filled in wrongly; the message is shown to the agent."""


@dataclass(frozen=True)
class SlaClock:
    due_at: datetime
    seconds_left: int
    """Negative once the handoff is overdue."""
    minutes: int

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0


@dataclass(frozen=True)
class QueueRow:
    handoff: HandoffOut
    sla: SlaClock
    contact_email: str | None
    ai: dict[str, Any] | None


@dataclass(frozen=True)
class TranscriptRow:
    message: Message
    flags: list[tuple[AnswerFlag, str]] = field(default_factory=list)
    """Flags on this answer, each with the flagging agent's display name."""


@dataclass(frozen=True)
class HandoffPage:
    handoff: HandoffOut
    status: str
    resolution: str | None
    sla: SlaClock
    transcript: list[TranscriptRow]
    notes: list[tuple[HandoffNote, str]]
    contact_email: str | None
    mine: bool
    """The signed-in agent owns this handoff, so may reply, resolve or hand it back."""


def sla_clock(settings: Settings, *, priority: int, created_at: datetime,
              now: datetime | None = None) -> SlaClock:
    """When a handoff of this priority must be picked up.  Unknown priorities get the
    loosest configured target, so a policy typo never makes a handoff look urgent."""
    minutes = settings.sla_minutes.get(priority) or max(settings.sla_minutes.values(),
                                                        default=60)
    due = created_at + timedelta(minutes=minutes)
    return SlaClock(due_at=due, seconds_left=int((due - (now or utcnow())).total_seconds()),
                    minutes=minutes)


def queue(*, session: Session, settings: Settings) -> list[QueueRow]:
    """Open and claimed handoffs, most urgent first, then longest waiting."""
    rows = handoffs.open_handoffs(session=session)
    ids = [h.id for h in rows]
    emails: dict[str, str] = {}
    if ids:
        for contact in session.exec(select(ShopperContact)
                                    .where(col(ShopperContact.handoff_id).in_(ids))
                                    .order_by(col(ShopperContact.id))):
            emails[contact.handoff_id or ""] = contact.email
    now = utcnow()
    return [QueueRow(handoff=h, contact_email=emails.get(h.id), ai=h.summary.get("ai"),
                     sla=sla_clock(settings, priority=h.priority, created_at=h.created_at,
                                   now=now)) for h in rows]


def handoff_page(*, session: Session, settings: Settings, handoff_id: str,
                 agent: SupportAgent) -> HandoffPage | None:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        return None
    messages = session.exec(select(Message).where(
        Message.conversation_id == handoff.conversation_id).order_by(col(Message.id))).all()
    names = _agent_names(session)
    flags: dict[int, list[tuple[AnswerFlag, str]]] = {}
    message_ids = [m.id for m in messages if m.role == "assistant"]
    if message_ids:
        for flag in session.exec(select(AnswerFlag).where(
                col(AnswerFlag.message_id).in_(message_ids)).order_by(col(AnswerFlag.id))):
            flags.setdefault(flag.message_id, []).append((flag, names.get(flag.agent_id, "?")))
    notes = session.exec(select(HandoffNote).where(HandoffNote.handoff_id == handoff_id)
                         .order_by(col(HandoffNote.id))).all()
    contact = contact_for(session=session, handoff_id=handoff_id)
    return HandoffPage(
        handoff=handoffs.handoff_out(session, handoff), status=handoff.status,
        resolution=handoff.resolution,
        sla=sla_clock(settings, priority=handoff.priority, created_at=handoff.created_at),
        transcript=[TranscriptRow(m, flags.get(m.id or 0, [])) for m in messages],
        notes=[(n, names.get(n.agent_id, "?")) for n in notes],
        contact_email=contact.email if contact else None,
        mine=handoff.status == "claimed" and handoff.agent_id == agent.id,
    )


def _agent_names(session: Session) -> dict[int, str]:
    return {a.id or 0: a.display_name for a in session.exec(select(SupportAgent))}


def add_note(*, session: Session, handoff_id: str, agent: SupportAgent,
             text: str) -> HandoffNote:
    """An internal note: any signed-in agent may add one, claimed or not, even after close."""
    text = text.strip()
    if not text:
        raise ConsoleInputError("the note is empty")
    if len(text) > MAX_NOTE_CHARS:
        raise ConsoleInputError(f"notes are limited to {MAX_NOTE_CHARS} characters")
    assert agent.id is not None
    note = HandoffNote(handoff_id=handoff_id, agent_id=agent.id, text=text)
    session.add(note)
    session.flush()
    return note
