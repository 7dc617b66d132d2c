"""Many shoppers at once: every turn is answered and stored, on SQLite as on PostgreSQL.

Before turn persistence moved off the event loop, four conversations at once on SQLite
failed with "database is locked" after the 30 s busy timeout: a write waiting for the
lock on the loop also kept the checkpointer from committing and releasing it.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlmodel import Session, col, func, select

from api.models import Message
from api.settings import Settings
from tests.conftest import api_client
from tests.helpers import say, start_chat

SHOPPERS = 12
SCRIPT = ["waterproof hiking jacket under $200, size M", "where is my order #R10001?"]


async def _shop(client: httpx.AsyncClient) -> tuple[str, list[str]]:
    chat = await start_chat(client)
    intents = [(await say(client, chat, text))["intent"] for text in SCRIPT]
    return chat.id, intents


@pytest.mark.parametrize("shoppers", [SHOPPERS])
async def test_shoppers_chatting_at_once_all_get_their_answers(
        settings: Settings, shoppers: int) -> None:
    busy = settings.model_copy(update={"rate_limit_ip_per_minute": 0})
    async with api_client(busy) as client:
        results = await asyncio.wait_for(
            asyncio.gather(*[_shop(client) for _ in range(shoppers)]), timeout=25)
        engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    assert [intents for _, intents in results] == [["discovery", "order_status"]] * shoppers
    ids = [conversation_id for conversation_id, _ in results]
    with Session(engine) as session:
        replies = session.exec(select(func.count()).select_from(Message).where(
            col(Message.conversation_id).in_(ids), Message.role == "assistant")).one()
    assert replies == shoppers * len(SCRIPT)


CROWD = 60
"""More shoppers than the 40 threads that run sync routes: the bench's 500 event streams
start with bursts of 50 new conversations."""


async def test_a_crowd_opening_the_chat_at_once_all_get_conversations(
        settings: Settings) -> None:
    # Before the route committed in its own thread, the first new conversation held
    # SQLite's write lock while it waited for a thread to serialise its response, and all
    # 40 threads were waiting for that lock: every request but a few failed after the
    # 30 s busy timeout (500s and 503s), and the load bench's stream setup hung.
    busy = settings.model_copy(update={"rate_limit_ip_per_minute": 0})
    async with api_client(busy) as client:
        responses = await asyncio.wait_for(
            asyncio.gather(*[client.post("/v1/conversations") for _ in range(CROWD)]),
            timeout=20)
    assert [r.status_code for r in responses] == [201] * CROWD
    assert len({r.json()["id"] for r in responses}) == CROWD
