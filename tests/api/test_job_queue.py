"""Background work through the durable job queue: a stop loses no job; retention trims
events and checkpoints.  procrastinate on PostgreSQL, the table queue on SQLite."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.llm.scripted import ScriptedChatModel
from api.db import session_scope
from api.jobs.work import retention
from api.models import Conversation, Event, Handoff, Job, Message
from api.settings import Settings
from domain.tables import utcnow
from tests.conftest import api_client
from tests.helpers import say, start_chat

DRAFT = json.dumps({
    "wants": "help with order #R10001", "order_ids": ["#R10001"], "mood": "upset",
    "mood_evidence": "says so", "already_tried": "nothing", "next_step": "call back",
    "reply_draft": "Sorry about order #R10001."})


def _handoff(engine: Engine) -> str:
    with session_scope(engine) as session:
        conversation = Conversation(id=str(uuid.uuid4()), token_hash="0" * 64, mode="human")
        session.add(conversation)
        session.flush()
        session.add_all([Handoff(id=(handoff_id := str(uuid.uuid4())),
                                 conversation_id=conversation.id, rule="human_request")])
        session.add(Message(conversation_id=conversation.id, role="shopper",
                            text="I need a person about order #R10001"))
    return handoff_id


async def _store_job_while_no_worker_runs(settings: Settings, engine: Engine,
                                          handoff_id: str) -> None:
    """As a worker that stopped (or died) after the job was deferred leaves it."""
    if settings.is_sqlite:
        with session_scope(engine) as session:
            session.add(Job(name="handoff_summary", args={"handoff_id": handoff_id},
                            status="doing", attempts=1))
        return
    from api.jobs.postgres import ProcrastinateQueue

    queue = ProcrastinateQueue(None, settings.database_url.replace(  # type: ignore[arg-type]
        "postgresql+psycopg://", "postgresql://", 1))
    await queue.app.open_async()
    try:
        await queue._apply_schema()
        await queue.defer("handoff_summary", handoff_id=handoff_id)
    finally:
        await queue.app.close_async()


async def test_a_job_stored_before_a_stop_runs_after_the_restart(settings: Settings,
                                                                 engine: Engine) -> None:
    handoff_id = _handoff(engine)
    await _store_job_while_no_worker_runs(settings, engine, handoff_id)
    model = ScriptedChatModel(structured_replies=[DRAFT])
    async with api_client(settings, model=model) as client:
        assert await client.app.state.runtime.jobs.wait_idle(30)  # type: ignore[attr-defined]
    with Session(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None and handoff.summary["ai"]["order_ids"] == ["#R10001"]
        if settings.is_sqlite:
            assert session.exec(select(Job).where(Job.name == "handoff_summary")).all() == []


def _checkpoints(engine: Engine, thread_id: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM checkpoints WHERE thread_id = :t"),
                                {"t": thread_id}).scalar_one())


async def test_retention_keeps_only_the_latest_checkpoint_and_recent_events(
        settings: Settings, engine: Engine) -> None:
    async with api_client(settings) as client:
        chat = await start_chat(client)
        for text_ in ("hi", "where is my order #R10001?", "my email is nobody@example.com"):
            await say(client, chat, text_)
        with session_scope(engine) as session:
            session.add(Event(conversation_id=chat.id, audience="shopper", kind="message",
                              data={"old": True}, created_at=utcnow() - timedelta(days=30)))
        before = _checkpoints(engine, chat.id)
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        state_before = await runtime.graph.aget_state({"configurable": {"thread_id": chat.id}})
        await retention(runtime)
        state_after = await runtime.graph.aget_state({"configurable": {"thread_id": chat.id}})
        after_turn = await say(client, chat, "thanks!")
    assert before >= 3 and _checkpoints(engine, chat.id) <= 2
    assert state_after.values["messages"] == state_before.values["messages"]
    assert after_turn["reply"]["text"]
    with Session(engine) as session:
        kinds = [e.data for e in session.exec(select(Event).where(
            Event.conversation_id == chat.id)).all()]
    assert {"old": True} not in kinds and kinds


async def test_a_job_another_live_server_runs_is_left_to_it_until_its_lease_lapses(
        settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several servers share one SQLite file: one starting up must not run again the job
    another is running (its lease is current), but must take it up once that server is gone
    (its lease has passed)."""
    if not settings.is_sqlite:
        pytest.skip("procrastinate leases PostgreSQL's jobs by its own heartbeat")
    from api.jobs import local

    monkeypatch.setattr(local, "RENEW_EVERY_S", 0.2)  # how often lapsed leases are looked for
    handoff_id = _handoff(engine)
    with session_scope(engine) as session:
        job = Job(name="handoff_summary", args={"handoff_id": handoff_id}, status="doing",
                  attempts=1, lease_until=utcnow() + timedelta(minutes=5))
        session.add(job)
        session.flush()
        job_id = job.id
    model = ScriptedChatModel(structured_replies=[DRAFT])
    async with api_client(settings, model=model) as client:
        await asyncio.sleep(1.0)  # five lapse checks: the live lease is respected
        with Session(engine) as session:
            held = session.get(Job, job_id)
            assert held is not None and held.status == "doing" and held.attempts == 1
        with session_scope(engine) as session:  # the other server died: its lease passes
            row = session.get(Job, job_id)
            assert row is not None
            row.lease_until = utcnow() - timedelta(seconds=1)
        assert await client.app.state.runtime.jobs.wait_idle(30)  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert session.get(Job, job_id) is None  # run once, then deleted
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None and handoff.summary["ai"]["order_ids"] == ["#R10001"]
