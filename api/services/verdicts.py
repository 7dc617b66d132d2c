"""Agents' verdicts on resolved handoffs, and the labelled data they make with the flags.

A verdict labels the shopper's message that set off the handoff: `human` when it needed a
person, `assistant` when the assistant could have answered.  A flag on an assistant answer
says the answer was wrong or unhelpful; it labels the answer, not the routing, so it is
kept as `answer_right: false` beside the routing labels.  Every example carries its source
and date; the text is redacted as in the logs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from agent.privacy.redact import redact
from api.models import AnswerFlag, Handoff, HandoffVerdict, Message, SupportAgent


@dataclass(frozen=True)
class LabelledExample:
    text: str
    route: str | None
    """human or assistant (a verdict), None for a flag"""
    answer_right: bool | None
    source: str
    """verdict:console, verdict:api or flag:wrong / flag:unhelpful"""
    date: datetime
    ref: str


def record(*, session: Session, handoff_id: str, agent: SupportAgent, needed_person: bool,
           last_answer_right: bool | None, source: str) -> HandoffVerdict:
    """Record (or replace) the verdict on a handoff."""
    verdict = session.exec(select(HandoffVerdict).where(
        HandoffVerdict.handoff_id == handoff_id)).first() or HandoffVerdict(
        handoff_id=handoff_id, agent_id=agent.id or 0, needed_person=needed_person)
    verdict.agent_id, verdict.needed_person = agent.id or 0, needed_person
    verdict.last_answer_right, verdict.source = last_answer_right, source
    session.add(verdict)
    session.flush()
    return verdict


def _trigger(session: Session, handoff: Handoff) -> Message | None:
    """The shopper's last message before the handoff was made."""
    return session.exec(select(Message).where(
        Message.conversation_id == handoff.conversation_id, Message.role == "shopper",
        col(Message.created_at) <= handoff.created_at).order_by(col(Message.id).desc())).first()


def labelled_examples(session: Session) -> Iterator[LabelledExample]:
    for verdict, handoff in session.exec(select(HandoffVerdict, Handoff).join(
            Handoff, col(Handoff.id) == col(HandoffVerdict.handoff_id))
            .order_by(col(HandoffVerdict.created_at))).all():
        message = _trigger(session, handoff)
        if message is not None:
            yield LabelledExample(
                text=redact(message.text), route="human" if verdict.needed_person
                else "assistant", answer_right=verdict.last_answer_right,
                source=f"verdict:{verdict.source}", date=verdict.created_at,
                ref=f"handoff:{handoff.id}")
    for flag, answer in session.exec(select(AnswerFlag, Message).join(
            Message, col(Message.id) == col(AnswerFlag.message_id))
            .order_by(col(AnswerFlag.created_at))).all():
        asked = session.get(Message, answer.reply_to) if answer.reply_to else None
        if asked is not None:
            yield LabelledExample(text=redact(asked.text), route=None, answer_right=False,
                                  source=f"flag:{flag.kind}", date=flag.created_at,
                                  ref=f"message:{answer.id}")
