"""Production conversations scored offline by the eval scorers (for `tandem monitor`)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.engine import Engine

from api.db import session_scope
from api.models import Conversation
from domain.tables import utcnow
from evals.production import score_sample, transcript_of
from tests.helpers import say, start_chat


async def test_stored_conversations_become_redacted_transcripts_with_scores(
        client: httpx.AsyncClient, engine: Engine) -> None:
    since = utcnow() - timedelta(seconds=1)
    chat = await start_chat(client)
    await say(client, chat, "waterproof jacket under $200, I'm jo.doe@example.com")
    await say(client, chat, "I want to speak to a person")
    with session_scope(engine) as session:
        conversation = session.get(Conversation, chat.id)
        assert conversation is not None
        transcript = transcript_of(session, conversation)
        scores = score_sample(session, since, utcnow() + timedelta(seconds=1))
    assert transcript is not None and len(transcript.turns) == 2
    assert "jo.doe@example.com" not in transcript.turns[0].shopper
    assert transcript.turns[0].suggestions and transcript.turns[1].handoff
    assert transcript.handoff is not None and transcript.handoff.rule
    assert scores and all(0.0 <= s <= 1.0 for s in scores)
