"""No stranded message: a shopper's message stored before its reply always gets one.

Before turn states, a database error while storing the reply ended the event stream with
neither `done` nor `error`, and resending the same `client_message_id` got 409 forever; a
crash or a shutdown mid-turn left the message unanswered for good.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from agent.llm.scripted import ScriptedChatModel
from api.app import create_app
from api.db import session_scope
from api.models import ConversationLease, Message, Turn
from api.services import turn_records
from api.settings import Settings
from domain.tables import utcnow
from tests.conftest import api_client
from tests.helpers import Chat, start_chat


def _replies_to(engine: Engine, message_id: int) -> list[Message]:
    with Session(engine) as session:
        return list(session.exec(select(Message).where(Message.reply_to == message_id)).all())


async def _stream(client: httpx.AsyncClient, chat: Chat, text: str,
                  client_message_id: str) -> list[str]:
    kinds: list[str] = []
    async with client.stream(
        "POST", f"/v1/conversations/{chat.id}/messages",
        headers=chat.headers | {"Accept": "text/event-stream"},
        json={"text": text, "client_message_id": client_message_id},
    ) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                kinds.append(line.removeprefix("event: "))
    return kinds


async def test_a_database_error_storing_the_reply_ends_the_stream_with_error_and_a_resend_is_answered_once(  # noqa: E501
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    real = turn_records._persist_reply
    failures = iter([True])

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if next(failures, False):
            raise OperationalError("INSERT INTO message ...", {}, Exception("server closed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(turn_records, "_persist_reply", flaky)
    async with api_client(settings) as client:
        chat = await start_chat(client)
        key = uuid.uuid4().hex
        kinds = await _stream(client, chat, "where is my order #R10001?", key)
        assert kinds[-1] == "error", kinds

        resent = await client.post(f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
                                   json={"text": "where is my order #R10001?",
                                         "client_message_id": key})
        assert resent.status_code == 200, resent.text
        assert resent.json()["intent"] == "order_status"
        again = await client.post(f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
                                  json={"text": "where is my order #R10001?",
                                        "client_message_id": key})
        assert again.json() == resent.json()
        engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    message_id = resent.json()["message_id"]
    assert len(_replies_to(engine, message_id)) == 1
    with Session(engine) as session:
        turn = session.get(Turn, message_id)
        assert turn is not None and turn.status == "answered" and turn.attempts == 2


async def test_a_message_left_pending_by_a_killed_worker_is_answered_after_restart(
        settings: Settings, engine: Engine) -> None:
    async with api_client(settings) as client:
        chat = await start_chat(client)
    # What a worker killed mid-turn leaves: the message stored, its turn pending, and the
    # conversation's lease still in the database, never renewed again.
    with session_scope(engine) as session:
        message = Message(conversation_id=chat.id, role="shopper",
                          text="where is my order #R10001?", client_message_id=uuid.uuid4().hex)
        session.add(message)
        session.flush()
        message_id = message.id or 0
        session.add(Turn(message_id=message_id, conversation_id=chat.id,
                         started_at=utcnow() - timedelta(seconds=40)))
        session.add(ConversationLease(conversation_id=chat.id, owner="dead-host:1:x",
                                      expires_at=utcnow() - timedelta(seconds=1)))

    async with api_client(settings) as client:  # the restart: its start-up sweep answers it
        for _ in range(100):
            if _replies_to(engine, message_id):
                break
            await asyncio.sleep(0.05)
        read = await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
    replies = _replies_to(engine, message_id)
    assert len(replies) == 1 and replies[0].intent == "order_status"
    assert [m["role"] for m in read.json()["messages"]] == ["shopper", "assistant"]


async def test_a_shutdown_waits_for_the_turn_being_answered(settings: Settings,
                                                            engine: Engine) -> None:
    slow = ScriptedChatModel(default_reply="Hello! How can I help you today?", delay_s=0.6)
    app = create_app(settings, model=slow)
    key = uuid.uuid4().hex
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            chat = await start_chat(client)
            async with client.stream(
                "POST", f"/v1/conversations/{chat.id}/messages",
                headers=chat.headers | {"Accept": "text/event-stream"},
                json={"text": "hi there", "client_message_id": key},
            ) as response:
                assert response.status_code == 200
                # The shopper's connection drops at once; then the server shuts down.
    with Session(engine) as session:
        shopper = session.exec(select(Message).where(Message.client_message_id == key)).one()
        turn = session.get(Turn, shopper.id)
    assert turn is not None and turn.status == "answered"
    assert len(_replies_to(engine, shopper.id or 0)) == 1


async def test_a_double_text_is_answered_after_the_first_in_order(settings: Settings) -> None:
    slow = ScriptedChatModel(default_reply="Hello! How can I help you today?", delay_s=0.3)
    async with api_client(settings, model=slow) as client:
        chat = await start_chat(client)

        async def send(text: str) -> httpx.Response:
            return await client.post(f"/v1/conversations/{chat.id}/messages",
                                     headers=chat.headers,
                                     json={"text": text, "client_message_id": uuid.uuid4().hex})

        first = asyncio.create_task(send("hi"))
        await asyncio.sleep(0.05)
        second = await send("where is my order #R10001?")
        first_reply = await first
        read = await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
    assert first_reply.status_code == second.status_code == 200
    roles = [(m["role"], m["id"]) for m in read.json()["messages"]]
    assert [r for r, _ in roles] == ["shopper", "assistant", "shopper", "assistant"]
    assert first_reply.json()["reply_message_id"] < second.json()["message_id"]


async def test_the_stream_ends_with_error_when_the_database_is_gone_before_the_turn(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT ...", {}, Exception("connection refused"))

    async with api_client(settings) as client:
        chat = await start_chat(client)
        monkeypatch.setattr("api.services.turns.begin_turn", down)
        kinds = await _stream(client, chat, "hi", uuid.uuid4().hex)
        plain = await client.post(f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
                                  json={"text": "hi"})
    assert kinds == ["error"]
    assert plain.status_code == 503 and plain.headers["Retry-After"]

