"""Agents flag assistant answers as wrong or unhelpful; prompt engineers read and export them.

An exported flag is an eval case: the conversation up to the flagged answer, the answer
itself (with the suggestions it made) and the agent's reason.  Format in the README
("Flagged answers as eval cases").

Only answers in conversations handed to a person can be flagged (the ones agents work and
see), so a flag is no way to pull an arbitrary transcript by guessing message ids; the
export is for admins and has emails, phone numbers, card numbers and street addresses
replaced by placeholders (agent/privacy/redact.py): eval cases travel to places the
console does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlmodel import Session, col, select

from agent.privacy.redact import Redactor, redact_data
from api.models import AnswerFlag, Handoff, Message, SupportAgent

FlagKind = Literal["wrong", "unhelpful"]
FLAG_KINDS: tuple[str, ...] = get_args(FlagKind)
MAX_REASON_CHARS = 1000
EVAL_CASE_FORMAT = "tandem.flagged-answer.v1"


class FlagError(ValueError):
    """The flag cannot be recorded; the message says why."""


@dataclass(frozen=True)
class FlagRow:
    flag: AnswerFlag
    agent_name: str
    message: Message


def flag_answer(*, session: Session, message_id: int, agent: SupportAgent, kind: str,
                reason: str) -> AnswerFlag:
    reason = reason.strip()
    if kind not in FLAG_KINDS:
        raise FlagError(f"a flag is one of: {', '.join(FLAG_KINDS)}")
    if not reason:
        raise FlagError("say what was wrong or unhelpful about the answer")
    if len(reason) > MAX_REASON_CHARS:
        raise FlagError(f"the reason is limited to {MAX_REASON_CHARS} characters")
    message = session.get(Message, message_id)
    if message is None or message.role != "assistant":
        raise FlagError("only the assistant's answers can be flagged")
    handed_off = session.exec(select(Handoff.id).where(
        Handoff.conversation_id == message.conversation_id)).first()
    if handed_off is None:
        # The same answer as for an unknown id: flagging is no probe of other transcripts.
        raise FlagError("only the assistant's answers can be flagged")
    assert agent.id is not None
    flag = AnswerFlag(message_id=message_id, agent_id=agent.id, kind=kind, reason=reason)
    session.add(flag)
    session.flush()
    return flag


def list_flags(*, session: Session, limit: int = 200) -> list[FlagRow]:
    """The newest flags first, with the flagged answer and who flagged it."""
    rows = session.exec(
        select(AnswerFlag, Message, SupportAgent)
        .join(Message, col(Message.id) == col(AnswerFlag.message_id))
        .join(SupportAgent, col(SupportAgent.id) == col(AnswerFlag.agent_id))
        .order_by(col(AnswerFlag.created_at).desc(), col(AnswerFlag.id).desc()).limit(limit))
    return [FlagRow(flag=f, agent_name=a.display_name, message=m) for f, m, a in rows]


def _suggestion(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: raw.get(k) for k in ("product_id", "variant_id", "name", "price", "currency",
                                    "size", "color", "stock_note", "because")}


def eval_cases(*, session: Session) -> Iterator[dict[str, Any]]:
    """One eval case per flag, oldest first: the turns before the answer, the answer, why;
    personal data replaced by placeholders, numbered consistently within each case."""
    for row in reversed(list_flags(session=session, limit=100_000)):
        message = row.message
        earlier = session.exec(select(Message).where(
            Message.conversation_id == message.conversation_id,
            col(Message.id) < (message.id or 0)).order_by(col(Message.id))).all()
        redactor = Redactor()
        yield {
            "format": EVAL_CASE_FORMAT,
            "id": f"flag-{row.flag.id}",
            "conversation_id": message.conversation_id,
            "message_id": message.id,
            "turns": redact_data([{"role": m.role, "text": m.text} for m in earlier if m.text],
                                 redactor),
            "flagged_answer": {
                "text": redactor.redact(message.text), "intent": message.intent,
                "route": message.route,
                "suggestions": [_suggestion(s) for s in message.suggestions],
            },
            "kind": row.flag.kind,
            "reason": redactor.redact(row.flag.reason),
            "flagged_by": row.agent_name,
            "flagged_at": row.flag.created_at.isoformat(),
        }


def eval_cases_jsonl(*, session: Session) -> Iterator[str]:
    for case in eval_cases(session=session):
        yield json.dumps(case, ensure_ascii=False) + "\n"
