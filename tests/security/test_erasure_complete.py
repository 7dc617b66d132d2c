"""Item 4: erasure leaves nothing: fit feedback exported and erased, a running turn does not
re-create stored preferences, checkpoints never outlive their rows (and purge finds any
left behind)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator, Sequence

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select
from typer.testing import CliRunner

from agent.commerce.inventory import DatabaseInventory, StockAt
from api.customer_tokens import mint_customer_token
from api.db import session_scope
from api.models import Conversation, Message
from api.services.erasure import erase_conversations
from api.settings import Settings
from domain.tables import Customer, FitFeedback, ShopperProfile
from tandem.cli import app
from tandem.commands import purge
from tests.conftest import api_client
from tests.helpers import Chat, say


@pytest.fixture
def customer(engine: Engine) -> Iterator[str]:
    """A customer of this test alone with two fit-feedback records."""
    customer_id = f"CF{uuid.uuid4().hex[:6].upper()}"
    with session_scope(engine) as session:
        session.add(Customer(id=customer_id, email=f"{customer_id.lower()}@example.net"))
        session.add_all([FitFeedback(customer_id=customer_id, item_id="X1", size="M",
                                     fit="small", height_in=66, weight_lbs=140, bust_in=36),
                         FitFeedback(customer_id=customer_id, item_id="X2", size="L",
                                     fit="fit")])
    yield customer_id
    with session_scope(engine) as session:
        for model in (FitFeedback, ShopperProfile):
            session.exec(delete(model).where(col(model.customer_id) == customer_id))
        session.exec(delete(Customer).where(col(Customer.id) == customer_id))


def _tokens(settings: Settings, customer_id: str) -> tuple[str, dict[str, str]]:
    secret = settings.customer_token_secret.get_secret_value()
    return (mint_customer_token(secret, customer_id),
            {"X-Customer-Token": mint_customer_token(secret, customer_id, ttl_s=300,
                                                     scope="data")})


async def _signed_in_chat(client: httpx.AsyncClient, token: str) -> Chat:
    created = await client.post("/v1/conversations", json={"customer_token": token})
    return Chat(created.json()["id"], created.json()["token"])


async def test_fit_feedback_is_exported_and_erased(client: httpx.AsyncClient, engine: Engine,
                                                   settings: Settings, customer: str) -> None:
    _, data = _tokens(settings, customer)
    exported = (await client.get("/v1/me/data", headers=data)).json()
    fit = sorted(exported["fit_feedback"], key=lambda f: f["item_id"])
    assert [(f["item_id"], f["size"], f["height_in"]) for f in fit] == [
        ("X1", "M", 66.0), ("X2", "L", None)]
    receipt = (await client.delete("/v1/me/data", headers=data)).json()
    assert receipt["deleted"]["fitfeedback"] == 2
    with Session(engine) as session:
        assert not session.exec(select(FitFeedback).where(
            FitFeedback.customer_id == customer)).all()


class _SlowStock(DatabaseInventory):
    """Stock read through the database, the first read held up (a slow inventory API, the
    window in which an erasure can land before the turn stores the shopper's size)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.reading = threading.Event()
        self.release = threading.Event()

    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        if not self.reading.is_set():
            self.reading.set()
            self.release.wait(timeout=10)
        return super().stock_for(variant_ids)


async def test_a_turn_running_during_erasure_does_not_bring_preferences_back(
        settings: Settings, engine: Engine, customer: str) -> None:
    stock = _SlowStock(engine)
    chat_token, data = _tokens(settings, customer)
    async with api_client(settings, inventory=stock) as client:
        chat = await _signed_in_chat(client, chat_token)
        turn = asyncio.create_task(client.post(
            f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
            json={"text": "rain jacket in size M", "client_message_id": "m1"}))
        while not stock.reading.is_set():
            await asyncio.sleep(0.02)
        erased = await client.delete("/v1/me/data", headers=data)
        assert erased.status_code == 200
        stock.release.set()
        assert (await turn).status_code == 404
    with Session(engine) as session:
        assert session.get(ShopperProfile, customer) is None, "the size M came back"
        assert session.get(Conversation, chat.id) is None


async def test_a_failed_erasure_leaves_no_checkpoint_without_its_rows(
        client: httpx.AsyncClient, engine: Engine) -> None:
    created = (await client.post("/v1/conversations")).json()
    chat = Chat(created["id"], created["token"])
    await say(client, chat, "hiking socks")
    saver = client.app.state.runtime.graph.checkpointer  # type: ignore[attr-defined]
    real = saver.adelete_thread

    async def failing(thread_id: str) -> None:
        raise RuntimeError("checkpoint store unreachable")

    saver.adelete_thread = failing
    try:
        with pytest.raises(RuntimeError):
            await client.delete("/v1/me/data", headers=chat.headers)
    finally:
        saver.adelete_thread = real
    with Session(engine) as session:
        assert session.get(Conversation, chat.id) is not None, "nothing erased: retry works"
    retry = await client.delete("/v1/me/data", headers=chat.headers)
    assert retry.status_code == 200 and retry.json()["checkpoint_threads"] == 1
    config = {"configurable": {"thread_id": chat.id}}
    assert await saver.aget_tuple(config) is None


async def _orphan(settings: Settings, engine: Engine) -> str:
    """A conversation whose rows went (as the old order of erasure could leave it) while its
    checkpoint stayed."""
    async with api_client(settings) as client:
        created = (await client.post("/v1/conversations")).json()
        await say(client, Chat(created["id"], created["token"]), "hiking socks")
    with session_scope(engine) as session:
        erase_conversations(session, [created["id"]])
    return str(created["id"])


def test_purge_deletes_checkpoints_whose_conversation_is_gone(
        settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.checkpoints import open_checkpointer

    orphan = asyncio.run(_orphan(settings, engine))

    async def checkpoint() -> object:
        async with open_checkpointer(settings.database_url) as saver:
            return await saver.aget_tuple({"configurable": {"thread_id": orphan}})

    assert asyncio.run(checkpoint()) is not None
    monkeypatch.setattr(purge, "get_settings", lambda: settings)
    result = CliRunner().invoke(app, ["purge"])
    assert result.exit_code == 0, result.output
    assert "of conversations already gone" in result.output
    assert asyncio.run(checkpoint()) is None
    with Session(engine) as session:
        assert not session.exec(select(Message).where(Message.conversation_id == orphan)).all()
