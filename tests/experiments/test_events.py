"""Outcome events: only the retailer's server may send them; idempotent; batches whole."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from api.db import session_scope
from api.models import OutcomeEvent
from api.settings import Settings
from domain.tables import utcnow
from tests.conftest import api_client
from tests.experiments.factories import send_events, unique, with_storefront_key


@pytest.fixture
async def store_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(with_storefront_key(settings)) as client:
        yield client


def _event(kind: str, visitor: str, **fields: object) -> dict[str, object]:
    return {"event_id": unique("ev"), "type": kind, "visitor_id": visitor,
            "ts": (utcnow() - timedelta(hours=1)).isoformat()} | fields


def _stored(engine: Engine, visitor: str) -> list[OutcomeEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutcomeEvent).where(
            OutcomeEvent.visitor_id == visitor).order_by(col(OutcomeEvent.ts))))


async def test_events_need_the_storefront_key_and_a_server(store_client: httpx.AsyncClient,
                                                           client: httpx.AsyncClient) -> None:
    event = _event("purchase", unique("v"), value=120.0)
    assert (await send_events(store_client, event, key="wrong")).status_code == 401
    assert (await store_client.post("/v1/events", json=event)).status_code == 401
    from_browser = await store_client.post("/v1/events", json=event, headers={
        "Authorization": "Bearer storefront-test-key-0123456789abcdef",
        "Origin": "http://127.0.0.1:8000"})
    assert from_browser.status_code == 403
    off = await send_events(client, event)  # no TANDEM_STOREFRONT_KEY set
    assert off.status_code == 404 and "TANDEM_STOREFRONT_KEY" in off.json()["detail"]


async def test_a_resent_event_is_a_duplicate(store_client: httpx.AsyncClient,
                                             engine: Engine) -> None:
    visitor = unique("v")
    batch = [_event("purchase", visitor, value=80.0, margin=30.0),
             _event("return", visitor, reason="too small"),
             _event("csat", visitor, score=5, conversation_id="c-1")]
    first = await send_events(store_client, batch)
    assert first.status_code == 200 and first.json() == {"accepted": 3, "duplicates": 0}
    again = await send_events(store_client, [*batch[:1], _event("add_to_cart", visitor)])
    assert again.json() == {"accepted": 1, "duplicates": 1}
    stored = _stored(engine, visitor)
    assert sorted(e.type for e in stored) == ["add_to_cart", "csat", "purchase", "return"]
    purchase = next(e for e in stored if e.type == "purchase")
    assert (purchase.value, purchase.margin) == (80.0, 30.0)


async def test_one_bad_event_rejects_the_batch_and_stores_nothing(
        store_client: httpx.AsyncClient, engine: Engine) -> None:
    visitor = unique("v")
    batch = [_event("purchase", visitor, value=10.0), _event("csat", visitor, score=9),
             _event("purchase", visitor)]
    response = await send_events(store_client, batch)
    assert response.status_code == 422
    assert "score" in response.json()["detail"] and "1" in response.json()["detail"]
    future = _event("purchase", visitor, value=1.0,
                    ts=(utcnow() + timedelta(days=2)).isoformat())
    assert "future" in (await send_events(store_client, future)).json()["detail"]
    no_value = await send_events(store_client, _event("purchase", visitor))
    assert "needs its value" in no_value.json()["detail"]
    assert _stored(engine, visitor) == []


async def test_a_purchase_after_a_card_add_to_cart_is_influenced_in_either_order(
        store_client: httpx.AsyncClient, engine: Engine) -> None:
    now = utcnow()
    early, late = unique("v"), unique("v")
    at = {"cart": (now - timedelta(days=3)).isoformat(),
          "buy": (now - timedelta(days=1)).isoformat(),
          "old": (now - timedelta(days=20)).isoformat()}
    await send_events(store_client, [
        _event("add_to_cart", early, ts=at["cart"], suggestion="JKT-M-GREEN"),
        _event("purchase", early, ts=at["buy"], value=139.0),
        _event("purchase", early, ts=at["old"], value=50.0)])
    # The purchase arrives first, its add-to-cart in a later request.
    await send_events(store_client, _event("purchase", late, ts=at["buy"], value=99.0))
    await send_events(store_client, _event("add_to_cart", late, ts=at["cart"],
                                           suggestion="BOOT-42"))
    influenced = {e.visitor_id: e.value for e in _stored(engine, early) + _stored(engine, late)
                  if e.type == "purchase" and e.influenced}
    assert influenced == {early: 139.0, late: 99.0}
