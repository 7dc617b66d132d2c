"""What each conversation of an experiment came to, defined precisely (README, "Outcomes"):

- Greetings alone are not conversations: one whose assistant replies are all small talk,
  with no person involved, is left out.
- *Confirmed* resolution: the shopper gave it a CSAT of 4 or more, or said it helped
  ("thanks", "that helped", "perfect").
- *Assumed*: no handoff and no further message within 24 h of the last reply (measured on
  the conversation's first stretch: messages until a gap of 24 h).
- *Durable*: resolved (confirmed or assumed) and not reopened (a message) or escalated (a
  handoff) within 7 days after that stretch ended.
- A conversation younger than 24 h (7 days) is not yet counted for assumed (durable)
  resolution: `assumed_due` and `durable_due` are its denominators.
- Time to the first human reply: from the first handoff to the first message by a person.
- Human minutes: from claim to close of each handoff a person closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlmodel import Session, col

from api.models import Conversation, ConversationVisitor, Handoff, Message, OutcomeEvent

QUIET = timedelta(hours=24)
DURABLE = timedelta(days=7)
HELPED = re.compile(r"\b(thanks|thank you|thx|that help(s|ed)|perfect|exactly what i)\b",
                    re.IGNORECASE)


@dataclass
class _Conversation:
    visitor_id: str
    created_at: datetime
    messages: list[tuple[datetime, str, str | None, str]] = field(default_factory=list)
    """(when, role, intent, text), oldest first"""
    handoffs: list[tuple[datetime, str, datetime | None, datetime | None]] = field(
        default_factory=list)
    """(created, rule, claimed, closed)"""
    scores: list[int] = field(default_factory=list)


def _load(session: Session, experiment: str, since: datetime, end: datetime
          ) -> dict[str, _Conversation]:
    cv, c = ConversationVisitor, Conversation
    in_window = and_(col(c.id) == col(cv.conversation_id), col(c.created_at) >= since,
                     col(c.created_at) < end)
    found: dict[str, _Conversation] = {}
    for cid, visitor, variants, created in session.execute(
            select(col(cv.conversation_id), col(cv.visitor_id), col(cv.variants),
                   col(c.created_at)).join(c, in_window)).all():
        if experiment in (variants or {}):
            found[cid] = _Conversation(visitor_id=visitor, created_at=created)
    if not found:
        return found
    for cid, at, role, intent, text in session.execute(
            select(col(Message.conversation_id), col(Message.created_at), col(Message.role),
                   col(Message.intent), col(Message.text))
            .join(cv, col(cv.conversation_id) == col(Message.conversation_id))
            .join(c, in_window).order_by(col(Message.id))).all():
        if cid in found:
            found[cid].messages.append((at, role, intent, text))
    for cid, at, rule, claimed, closed in session.execute(
            select(col(Handoff.conversation_id), col(Handoff.created_at), col(Handoff.rule),
                   col(Handoff.claimed_at), col(Handoff.closed_at))
            .join(cv, col(cv.conversation_id) == col(Handoff.conversation_id))
            .join(c, in_window).order_by(col(Handoff.created_at))).all():
        if cid in found:
            found[cid].handoffs.append((at, rule, claimed, closed))
    for cid, score in session.execute(
            select(col(OutcomeEvent.conversation_id), col(OutcomeEvent.score)).where(
                col(OutcomeEvent.type) == "csat", col(OutcomeEvent.ts) >= since)).all():
        if cid in found and score is not None:
            found[cid].scores.append(int(score))
    return found


def _first_stretch_end(messages: list[tuple[datetime, str, str | None, str]]) -> int:
    """Index of the last message before the first quiet gap of 24 h (or the last one)."""
    for i in range(1, len(messages)):
        if messages[i][0] - messages[i - 1][0] >= QUIET:
            return i - 1
    return len(messages) - 1


def outcome(conv: _Conversation, now: datetime) -> dict[str, float] | None:
    """The conversation's fields, or None when it is not a conversation (greetings alone,
    or no message from the shopper)."""
    said = [m for m in conv.messages if m[1] == "shopper"]
    people = [m for m in conv.messages if m[1] == "agent"]
    replies = [m for m in conv.messages if m[1] == "assistant"]
    if not said or (not conv.handoffs and not people
                    and all((m[2] or "smalltalk") == "smalltalk" for m in replies)):
        return None
    last = _first_stretch_end(conv.messages)
    ended = conv.messages[last][0]
    reopened = any(ended < m[0] <= ended + DURABLE for m in conv.messages[last + 1:])
    escalated_in_stretch = any(h[0] <= ended for h in conv.handoffs)
    escalated_after = any(ended < h[0] <= ended + DURABLE for h in conv.handoffs)
    assumed_due = last < len(conv.messages) - 1 or now - ended >= QUIET
    assumed = (assumed_due and not escalated_in_stretch
               and conv.messages[last][1] == "assistant")
    confirmed = any(s >= 4 for s in conv.scores) or any(HELPED.search(m[3]) for m in said)
    durable_due = now - ended >= DURABLE
    durable = durable_due and (assumed or confirmed) and not (reopened or escalated_after)
    values: dict[str, float] = {
        "conversations": 1, "handoffs": float(bool(conv.handoffs)),
        "confirmed": float(confirmed), "assumed": float(assumed),
        "assumed_due": float(assumed_due), "durable": float(durable),
        "durable_due": float(durable_due)}
    if conv.handoffs:
        first = conv.handoffs[0][0]
        reply = next((m[0] for m in people if m[0] >= first), None)
        if reply is not None:
            values |= {"human_wait_s": (reply - first).total_seconds(), "human_replied": 1}
        values["human_minutes"] = sum((closed - claimed).total_seconds() / 60
                                      for _, _, claimed, closed in conv.handoffs
                                      if claimed is not None and closed is not None)
    touched = "human" if conv.handoffs or people else "ai"
    if conv.scores:
        values |= {f"csat_{touched}_sum": float(sum(conv.scores)),
                   f"csat_{touched}_n": float(len(conv.scores))}
    return values


def conversation_rows(session: Session, experiment: str, *, since: datetime, end: datetime,
                      now: datetime) -> list[tuple[str, datetime, dict[str, float], list[str]]]:
    """(visitor, started, fields, handoff rules) per conversation of the experiment."""
    rows = []
    for conv in _load(session, experiment, since, end).values():
        values = outcome(conv, now)
        if values is not None:
            rules = list(dict.fromkeys(h[1] for h in conv.handoffs))
            rows.append((conv.visitor_id, conv.created_at, values, rules))
    return rows

