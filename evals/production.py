"""Production conversations as eval transcripts, scored offline (for `tandem monitor`).

Only what was stored is recorded: the shopper's words, the replies, their intent and
route, the suggestions as shown (no stock snapshot, so the grounding scorer skips), and the
handoff.  Scorers whose expectations a production conversation cannot have skip too; the
score is the mean of those that applied.  Text is redacted before any scorer sees it.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlmodel import Session, col, select

from agent.privacy.redact import redact
from api.models import Conversation, Handoff, Message
from evals.scorers import default_scorers
from evals.scoring import score_transcript
from evals.transcript import HandoffRecord, SuggestionRecord, Transcript, TurnRecord

SAMPLE = 40


def transcript_of(session: Session, conversation: Conversation) -> Transcript | None:
    messages = session.exec(select(Message).where(
        Message.conversation_id == conversation.id).order_by(col(Message.id))).all()
    turns: list[TurnRecord] = []
    for m in messages:
        if m.role == "shopper":
            turns.append(TurnRecord(shopper=redact(m.text)))
        elif m.role == "assistant" and turns:
            turn = turns[-1]
            turn.reply, turn.intent, turn.route = redact(m.text), m.intent, m.route
            turn.handoff = m.route == "human"
            turn.suggestions = [SuggestionRecord.model_validate(
                {k: v for k, v in s.items() if k != "evidence"}) for s in m.suggestions]
    if not turns:
        return None
    handoff = session.exec(select(Handoff).where(
        Handoff.conversation_id == conversation.id)).first()
    return Transcript(suite="production", case_id=conversation.id, turns=turns,
                      setup={"personalization": conversation.personalization},
                      handoff=HandoffRecord(rule=handoff.rule, priority=handoff.priority,
                                            reasons=handoff.reasons, summary=handoff.summary)
                      if handoff else None)


def score_sample(session: Session, since: datetime, until: datetime, *,
                 size: int = SAMPLE, seed: int = 0) -> list[float]:
    """The offline scorers' score of up to `size` conversations started in the period."""
    ids = list(session.exec(select(Conversation.id).where(
        col(Conversation.created_at) >= since, col(Conversation.created_at) < until)).all())
    chosen = random.Random(seed).sample(ids, min(size, len(ids)))
    scorers = default_scorers()
    scores = []
    for conversation_id in chosen:
        conversation = session.get(Conversation, conversation_id)
        transcript = transcript_of(session, conversation) if conversation else None
        if transcript is not None:
            scores.append(score_transcript(transcript, scorers).score)
    return scores
