"""`tandem purge`: conversations idle past the retention period go, with everything of theirs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.checkpoints import open_checkpointer
from api.db import session_scope
from api.models import ConsentEvent, Conversation, Message
from api.settings import Settings
from domain.tables import utcnow
from tandem.cli import app
from tandem.commands import purge
from tests.conftest import api_client
from tests.helpers import say, start_chat


async def _old_conversation(settings: Settings, engine: Engine, age_days: int) -> str:
    async with api_client(settings) as client:
        chat = await start_chat(client)
        await say(client, chat, "rain jacket size M")
    with session_scope(engine) as session:
        conversation = session.get(Conversation, chat.id)
        assert conversation is not None
        conversation.updated_at = conversation.created_at = utcnow() - timedelta(days=age_days)
        session.add(conversation)
    return chat.id


async def _has_checkpoint(url: str, thread_id: str) -> bool:
    async with open_checkpointer(url) as saver:
        found = await saver.aget_tuple({"configurable": {"thread_id": thread_id}})
    return found is not None


def test_purge_deletes_only_conversations_past_retention_and_reports_it(
        settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    old = asyncio.run(_old_conversation(settings, engine, 400))
    recent = asyncio.run(_old_conversation(settings, engine, 10))
    monkeypatch.setattr(purge, "get_settings", lambda: settings.model_copy(
        update={"retention_days": 365}))
    runner = CliRunner()

    dry = runner.invoke(app, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would be deleted; nothing was deleted" in dry.output
    with Session(engine) as session:
        assert session.get(Conversation, old) is not None

    done = runner.invoke(app, ["purge"])
    assert done.exit_code == 0, done.output
    assert "retention 365 days" in done.output and "message" in done.output
    with Session(engine) as session:
        assert session.get(Conversation, old) is None
        assert not session.exec(select(Message).where(Message.conversation_id == old)).all()
        assert not session.exec(select(ConsentEvent).where(
            ConsentEvent.conversation_id == old)).all()
        assert session.get(Conversation, recent) is not None
    assert not asyncio.run(_has_checkpoint(settings.database_url, old))
    assert asyncio.run(_has_checkpoint(settings.database_url, recent))

    # --older-than-days overrides the setting: the 10-day-old one goes too.
    runner.invoke(app, ["purge", "--older-than-days", "5"])
    with Session(engine) as session:
        assert session.get(Conversation, recent) is None
