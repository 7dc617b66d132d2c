"""Push across workers: event streams with replay, and two servers against one database.

These start real `tandem serve` processes on loopback ports (an in-process client buffers
an endless stream whole).  On PostgreSQL two servers share the database: what happens
through one reaches a shopper held by the other.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.models import Message
from tests.console.console_helpers import csrf_of
from tests.helpers import Chat, agent_headers
from tests.live_servers import Server, event_stream, running

REFUND = "this is ridiculous, I want a refund for my order"


@pytest.fixture(scope="module")
def servers(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    """Two servers on PostgreSQL; one on SQLite (its default: one process)."""
    count = 2 if database_url.startswith("postgresql") else 1
    with running(database_url, tmp_path_factory.mktemp("servers"), count) as started:
        yield started


def _cookies(response: httpx.Response) -> dict[str, str]:
    """The console's cookies are Secure outside development, and a cookie jar keeps those
    for https; these servers speak plain http on loopback, so they are sent by hand."""
    pairs = [h.split(";", 1)[0] for h in response.headers.get_list("set-cookie")]
    return {"Cookie": "; ".join(p for p in pairs if not p.endswith('=""'))}


async def _chat(client: httpx.AsyncClient) -> Chat:
    created = (await client.post("/v1/conversations")).json()
    return Chat(id=created["id"], token=created["token"])


async def _say(client: httpx.AsyncClient, chat: Chat, text: str) -> httpx.Response:
    return await client.post(f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
                             json={"text": text, "client_message_id": uuid.uuid4().hex},
                             timeout=60)


async def test_an_agent_reply_reaches_the_shoppers_stream_on_the_other_server_and_replays(
        servers: list[Server]) -> None:
    near, far = servers[0], servers[-1]
    async with httpx.AsyncClient(base_url=near.url) as shop, \
            httpx.AsyncClient(base_url=far.url) as desk:
        chat = await _chat(shop)
        assert (await _say(shop, chat, REFUND)).json()["route"] == "human"
        agent = await agent_headers(desk, "alex", "alex-password")
        queue = (await desk.get("/v1/agent/handoffs", headers=agent)).json()
        handoff_id = next(h["id"] for h in queue if h["conversation_id"] == chat.id)

        async with event_stream(shop, f"/v1/conversations/{chat.id}/events",
                                chat.headers) as stream:
            opened = await stream.next_event("handoff")  # replayed: the handoff opened
            assert opened[2]["status"] == "open"
            claimed = await desk.post(f"/v1/agent/handoffs/{handoff_id}/claim", headers=agent)
            assert claimed.status_code == 200
            assert (await stream.next_event("handoff"))[2]["status"] == "claimed"
            sent = await desk.post(f"/v1/agent/handoffs/{handoff_id}/messages", headers=agent,
                                   json={"text": "Hi, Alex here. Let me look at that refund."})
            event_id, _, message = await stream.next_event("message")
            while message["role"] != "agent":
                event_id, _, message = await stream.next_event("message")
            assert message["id"] == sent.json()["message_id"]
            assert message["author"] == "Alex" and message["text"].startswith("Hi, Alex")

        # A reconnect with Last-Event-ID gets what came after it, and nothing before.
        await desk.post(f"/v1/agent/handoffs/{handoff_id}/messages", headers=agent,
                        json={"text": "Done: the refund is on its way."})
        async with event_stream(shop, f"/v1/conversations/{chat.id}/events",
                                chat.headers | {"Last-Event-ID": str(event_id)}) as again:
            replayed = await again.next_event()
        assert replayed[0] is not None and event_id is not None and replayed[0] > event_id
        assert replayed[2]["text"] == "Done: the refund is on its way."


async def test_the_console_stream_hears_of_a_new_handoff(servers: list[Server]) -> None:
    async with httpx.AsyncClient(base_url=servers[-1].url) as desk, \
            httpx.AsyncClient(base_url=servers[0].url) as shop:
        page = await desk.get("/console/login")
        signed_in = await desk.post("/console/login", headers=_cookies(page), data={
            "username": "blair", "password": "blair-password", "csrf_token": csrf_of(page.text),
            "next": "/console"})
        assert signed_in.status_code == 303
        async with event_stream(desk, "/console/events", _cookies(signed_in)) as stream:
            chat = await _chat(shop)
            await _say(shop, chat, REFUND)
            event = await stream.next_event("queue")
        assert event[2]["status"] == "open" and event[2]["priority"] in (1, 2, 3)


@pytest.mark.postgres
async def test_a_claim_through_one_server_is_a_claim_for_the_other(
        servers: list[Server], database_url: str) -> None:
    if len(servers) < 2:
        pytest.skip("two servers share a database on PostgreSQL only")
    one, two = servers
    async with httpx.AsyncClient(base_url=one.url) as a, httpx.AsyncClient(base_url=two.url) as b:
        chat = await _chat(a)
        await _say(a, chat, REFUND)
        alex = await agent_headers(a, "alex", "alex-password")
        blair = await agent_headers(b, "blair", "blair-password")
        handoff_id = next(h["id"] for h in (await b.get("/v1/agent/handoffs",
                                                           headers=blair)).json()
                          if h["conversation_id"] == chat.id)
        first, second = await asyncio.gather(
            a.post(f"/v1/agent/handoffs/{handoff_id}/claim", headers=alex),
            b.post(f"/v1/agent/handoffs/{handoff_id}/claim", headers=blair))
    assert sorted([first.status_code, second.status_code]) == [200, 409]


@pytest.mark.postgres
async def test_two_messages_to_one_conversation_through_two_servers_are_answered_in_order_once(
        servers: list[Server], engine: Engine) -> None:
    if len(servers) < 2:
        pytest.skip("two servers share a database on PostgreSQL only")
    one, two = servers
    async with httpx.AsyncClient(base_url=one.url) as a, httpx.AsyncClient(base_url=two.url) as b:
        chat = await _chat(a)
        replies = await asyncio.gather(
            _say(a, chat, "waterproof hiking jacket under $200, size M"),
            _say(b, chat, "where is my order #R10001?"))
    assert [r.status_code for r in replies] == [200, 200]
    with Session(engine) as session:
        messages = session.exec(select(Message).where(Message.conversation_id == chat.id)
                                .order_by(col(Message.id))).all()
    roles = [m.role for m in messages]
    assert roles == ["shopper", "assistant", "shopper", "assistant"], roles
    # Each reply answers the message just before it: one turn at a time, once each.
    assert messages[1].reply_to == messages[0].id and messages[3].reply_to == messages[2].id


def test_server_logs_show_no_error(servers: list[Server]) -> None:
    for server in servers:
        text = server.log.read_text()
        assert "Traceback" not in text, text[-3000:]
