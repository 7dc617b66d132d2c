"""Item 8 and the customer-token items: a sign-in's expiry ends the conversation bound to it,
conversation tokens have a lifetime and end on sign-out, customer tokens have a maximum
lifetime and a scope, and a forged token is a 401, never a 500."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from api.customer_tokens import CustomerTokenError, mint_customer_token, read_customer_token
from api.db import session_scope
from api.models import Conversation
from api.settings import Settings
from domain.tables import utcnow
from tests.helpers import Chat, say, start_chat


def _raw_token(secret: str, payload: object) -> str:
    """A token signed with the right secret but carrying any JSON payload."""
    text = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    signature = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    return f"{text}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_a_token_without_a_real_end_is_refused() -> None:
    now = time.time()
    for exp in (float("inf"), float("nan"), 1e308, int(now + 10 * 365 * 86400), now + 600.5,
                True):
        with pytest.raises(CustomerTokenError):
            read_customer_token("s3cret", _raw_token("s3cret", {"customer_id": "C1", "exp": exp}))
    assert read_customer_token("s3cret", _raw_token(
        "s3cret", {"customer_id": "C1", "exp": int(now + 600)})).customer_id == "C1"


def _secret(settings: Settings) -> str:
    return settings.customer_token_secret.get_secret_value()


async def test_a_forged_signature_with_odd_characters_is_a_401_not_a_500(
        client: httpx.AsyncClient, settings: Settings) -> None:
    payload = mint_customer_token(_secret(settings), "C10001").split(".")[0]
    for token in (f"{payload}.é", f"{payload}.\u2603\u2603", "é.é"):
        response = await client.post("/v1/conversations", json={"customer_token": token})
        assert response.status_code == 401, token


async def test_the_chat_token_cannot_export_or_erase_the_customer(
        client: httpx.AsyncClient, settings: Settings) -> None:
    chat_token = mint_customer_token(_secret(settings), "C10001")
    for method in ("GET", "DELETE"):
        response = await client.request(method, "/v1/me/data",
                                        headers={"X-Customer-Token": chat_token})
        assert response.status_code == 401 and "scope" in response.json()["detail"], method
    too_long = mint_customer_token(_secret(settings), "C10001", ttl_s=3600, scope="data")
    response = await client.get("/v1/me/data", headers={"X-Customer-Token": too_long})
    assert response.status_code == 401 and "too far ahead" in response.json()["detail"]
    data_token = mint_customer_token(_secret(settings), "C10001", ttl_s=300, scope="data")
    exported = await client.get("/v1/me/data", headers={"X-Customer-Token": data_token})
    assert exported.status_code == 200 and exported.json()["scope"] == "customer"
    started = await client.post("/v1/conversations", json={"customer_token": data_token})
    assert started.status_code == 401, "a data token does not open a chat"


async def test_the_conversation_ends_when_the_sign_in_does(
        client: httpx.AsyncClient, settings: Settings) -> None:
    token = mint_customer_token(_secret(settings), "C10001", ttl_s=3)
    created = await client.post("/v1/conversations", json={"customer_token": token})
    body = created.json()
    chat = Chat(body["id"], body["token"])
    assert body["signed_in"] and body["expires_at"]
    turn = await say(client, chat, "where is my order?")
    assert turn["intent"] == "order_status"
    await asyncio.sleep(3.5)
    # On a shared browser the next person holds the same token: it opens nothing now.
    assert (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
            ).status_code == 404
    late = await client.post(f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
                             json={"text": "where is my order?"})
    assert late.status_code == 404
    assert (await client.get("/v1/me/data", headers=chat.headers)).status_code == 401


async def test_conversation_tokens_have_a_lifetime(client: httpx.AsyncClient, engine: Engine,
                                                   settings: Settings) -> None:
    chat = await start_chat(client)
    with session_scope(engine) as session:
        conversation = session.get(Conversation, chat.id)
        assert conversation is not None and conversation.expires_at is not None
        lifetime = conversation.expires_at - conversation.created_at
        assert lifetime == timedelta(hours=settings.conversation_token_hours)
        conversation.expires_at = utcnow() - timedelta(seconds=1)
        session.add(conversation)
    assert (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
            ).status_code == 404


async def test_signing_out_ends_the_conversation_token(client: httpx.AsyncClient) -> None:
    chat = await start_chat(client)
    await say(client, chat, "hiking socks")
    assert (await client.delete("/v1/me/session", headers=chat.headers)).status_code == 204
    assert (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
            ).status_code == 404
    assert (await client.delete("/v1/me/session", headers=chat.headers)).status_code == 401
    assert (await client.delete("/v1/me/session")).status_code == 401
