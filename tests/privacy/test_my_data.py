"""`GET /v1/me/data` exports everything held; `DELETE /v1/me/data` erases it everywhere."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from agent.llm.scripted import ScriptedChatModel
from api.customer_tokens import mint_customer_token
from api.db import session_scope
from api.models import ConsentEvent, Conversation, Handoff, Message
from api.services.erasure import ERASED_CUSTOMER_ID
from api.settings import Settings
from domain.tables import Customer, Order, OrderItem, ShopperProfile
from tests.conftest import api_client
from tests.helpers import Chat, say, start_chat


async def _checkpoint(client: httpx.AsyncClient, conversation_id: str) -> object:
    saver = client.app.state.runtime.graph.checkpointer  # type: ignore[attr-defined]
    return await saver.aget_tuple({"configurable": {"thread_id": conversation_id}})


def _rows(engine: Engine, conversation_id: str) -> dict[str, int]:
    with Session(engine) as session:
        return {model.__name__: len(session.exec(select(model).where(
            model.conversation_id == conversation_id)).all())  # type: ignore[attr-defined]
            for model in (Message, Handoff, ConsentEvent)}


async def test_an_anonymous_shopper_exports_then_erases_their_conversation(
        client: httpx.AsyncClient, engine: Engine) -> None:
    chat = await start_chat(client)
    await say(client, chat, "rain jacket size M, write to me at pat.lee@example.com")
    await say(client, chat, "This is ridiculous, I want to return these boots!")
    other = await start_chat(client)
    await say(client, other, "hello")

    exported = await client.get("/v1/me/data", headers=chat.headers)
    assert exported.status_code == 200
    data = exported.json()
    assert data["scope"] == "conversation" and [c["id"] for c in data["conversations"]] == [
        chat.id], "a conversation token opens that conversation only"
    held = data["conversations"][0]
    assert "pat.lee@example.com" in str(held["messages"])
    assert any(m["suggestions"] and m["suggestions"][0]["evidence"] for m in held["messages"])
    assert held["consent_history"] and held["handoffs"][0]["rule"]
    assert "token_hash" not in held

    erased = await client.delete("/v1/me/data", headers=chat.headers)
    assert erased.status_code == 200
    receipt = erased.json()
    assert receipt["conversations"] == 1 and receipt["checkpoint_threads"] == 1
    assert receipt["deleted"]["message"] == 4 and receipt["deleted"]["handoff"] == 1
    assert receipt["erased_at"]

    # Nothing can be read back, through any route, and the graph state is gone.
    assert (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
            ).status_code == 404
    assert (await client.get("/v1/me/data", headers=chat.headers)).status_code == 401
    assert (await client.delete("/v1/me/data", headers=chat.headers)).status_code == 401
    assert await _checkpoint(client, chat.id) is None
    assert _rows(engine, chat.id) == {"Message": 0, "Handoff": 0, "ConsentEvent": 0}
    # A late message does not bring it back.
    late = await client.post(f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
                             json={"text": "hello again?", "client_message_id": "late-1"})
    assert late.status_code == 404
    assert await _checkpoint(client, chat.id) is None and _rows(engine, chat.id)["Message"] == 0
    # Someone else's conversation is untouched.
    assert (await client.get(f"/v1/conversations/{other.id}", headers=other.headers)
            ).status_code == 200


async def test_me_data_without_credentials_or_with_a_bad_token_is_401(
        client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"},
                    {"X-Customer-Token": "forged.token"}):
        response = await client.get("/v1/me/data", headers=headers)
        assert response.status_code == 401 and response.json()["detail"], headers


@pytest.fixture
def own_customer(engine: Engine) -> Iterator[tuple[str, str]]:
    """A customer of this test alone, with one shipped order (cleaned up afterwards)."""
    suffix = uuid.uuid4().hex[:6].upper()
    customer_id, order_id = f"CT{suffix}", f"#T{int(suffix, 16) % 10**7:07d}"
    with session_scope(engine) as session:
        session.add(Customer(id=customer_id, email=f"{suffix.lower()}@example.net",
                             name="Robin Test", postcode="97209", region="US-West"))
        session.flush()
        session.add(Order(id=order_id, customer_id=customer_id, status="shipped",
                          email=f"{suffix.lower()}@example.net", postcode="97209",
                          carrier="UPS", tracking_number=f"1ZTEST{suffix}"))
        session.flush()
        session.add(OrderItem(order_id=order_id, variant_id="none", product_name="Test Boot"))
    yield customer_id, order_id
    with session_scope(engine) as session:
        session.exec(delete(OrderItem).where(col(OrderItem.order_id) == order_id))
        session.exec(delete(Order).where(col(Order.id) == order_id))
        session.exec(delete(ShopperProfile).where(col(ShopperProfile.customer_id) == customer_id))
        session.exec(delete(Customer).where(col(Customer.id) == customer_id))
        if not session.exec(select(Order).where(Order.customer_id == ERASED_CUSTOMER_ID)).first():
            session.exec(delete(Customer).where(col(Customer.id) == ERASED_CUSTOMER_ID))


async def test_a_signed_in_shopper_exports_and_erases_everything_of_theirs(
        client: httpx.AsyncClient, engine: Engine, settings: Settings,
        own_customer: tuple[str, str]) -> None:
    customer_id, order_id = own_customer
    secret = settings.customer_token_secret.get_secret_value()
    token = mint_customer_token(secret, customer_id)
    signed = {"X-Customer-Token": mint_customer_token(secret, customer_id, ttl_s=600,
                                                      scope="data")}
    chats = []
    for text in ("rain jacket size M", f"where is my order {order_id}?"):
        created = await client.post("/v1/conversations", json={"customer_token": token})
        chat = Chat(created.json()["id"], created.json()["token"])
        await say(client, chat, text)
        chats.append(chat)

    data = (await client.get("/v1/me/data", headers=signed)).json()
    assert data["scope"] == "customer" and data["customer"]["id"] == customer_id
    assert [o["id"] for o in data["orders"]] == [order_id]
    assert data["orders"][0]["items"][0]["product_name"] == "Test Boot"
    assert {c["id"] for c in data["conversations"]} == {c.id for c in chats}
    assert data["preferences"]["sizes"], "the stated size M was kept (personalisation on)"

    receipt = (await client.delete("/v1/me/data", headers=signed)).json()
    assert receipt["scope"] == "customer" and receipt["conversations"] == 2
    assert receipt["checkpoint_threads"] == 2 and receipt["deleted"]["customer"] == 1
    assert receipt["deleted"]["shop_order (anonymised)"] == 1

    after = (await client.get("/v1/me/data", headers=signed)).json()
    assert after["customer"] is None and after["orders"] == [] and after["conversations"] == []
    assert after["preferences"] == {}
    for chat in chats:
        assert (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
                ).status_code == 404
        assert await _checkpoint(client, chat.id) is None
    # The store keeps the sale, but nothing points back at the person any more.
    with Session(engine) as session:
        order = session.get(Order, order_id)
        assert order is not None and order.customer_id == ERASED_CUSTOMER_ID
        assert order.email == "" and order.postcode == ""
    anon = await start_chat(client)
    probe = await say(client, anon, f"order {order_id}, email {customer_id.lower()}@example.net")
    assert "1ZTEST" not in probe["reply"]["text"]


async def test_a_conversation_erased_while_its_turn_runs_does_not_come_back(
        settings: Settings, engine: Engine) -> None:
    # The scripted model streams slowly, so the erasure lands while the turn is running.
    model = ScriptedChatModel(replies=["Here are a few rain jackets for you."], delay_s=0.15)
    async with api_client(settings, model=model) as client:
        chat = await start_chat(client)
        turn = asyncio.create_task(client.post(
            f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
            json={"text": "rain jacket", "client_message_id": "m1"}))
        while not model.calls:
            await asyncio.sleep(0.02)
        erased = await client.delete("/v1/me/data", headers=chat.headers)
        assert erased.status_code == 200
        response = await turn
        assert response.status_code == 404
        assert await _checkpoint(client, chat.id) is None, "the turn's checkpoint was dropped"
    with Session(engine) as session:
        assert session.get(Conversation, chat.id) is None
    assert _rows(engine, chat.id)["Message"] == 0
