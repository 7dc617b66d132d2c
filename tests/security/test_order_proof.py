"""Item 2: order proof counted per order id and per client in the database, locked out with
back-off; the postcode alone shows the status, only the email shows tracking details."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, delete

from api.customer_tokens import mint_customer_token
from api.db import session_scope
from api.settings import Settings
from domain.tables import Customer, FailureCount, Order, OrderItem
from tests.conftest import api_client
from tests.helpers import Chat, say, start_chat


def _address() -> str:
    """A client address of this test alone (TEST-NET-3), so its lock-outs touch no other."""
    return f"203.0.113.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:4]}"


@pytest.fixture
def orders(engine: Engine) -> Iterator[list[Order]]:
    """Three shipped orders of a customer of this test alone, with tracking numbers."""
    suffix = uuid.uuid4().hex[:6].upper()
    customer_id = f"CP{suffix}"
    rows = [Order(id=f"#P{int(suffix, 16) % 10**6:06d}{n}", customer_id=customer_id,
                  status="shipped", email=f"p{suffix.lower()}@example.net", postcode="60614",
                  carrier="UPS", tracking_number=f"1ZPROOF{suffix}{n}") for n in range(3)]
    with session_scope(engine) as session:
        session.add(Customer(id=customer_id, email=rows[0].email, postcode="60614"))
        session.flush()
        session.add_all(rows)
        session.flush()
        session.add_all([OrderItem(order_id=o.id, variant_id="none", product_name="Trail Tent")
                         for o in rows])
    yield rows
    with session_scope(engine) as session:
        ids = [o.id for o in rows]
        session.exec(delete(OrderItem).where(col(OrderItem.order_id).in_(ids)))
        session.exec(delete(Order).where(col(Order.id).in_(ids)))
        session.exec(delete(Customer).where(col(Customer.id) == customer_id))
        session.exec(delete(FailureCount).where(col(FailureCount.key).in_(
            [f"order:{i}" for i in ids])))


async def _ask(client: httpx.AsyncClient, text: str) -> str:
    """One question in a conversation of its own, as a script would ask it."""
    chat = await start_chat(client)
    turn = await say(client, chat, text)
    reply: str = turn["reply"]["text"]
    return reply


async def test_new_conversations_do_not_reset_the_count_of_wrong_postcodes(
        settings: Settings, orders: list[Order]) -> None:
    order = orders[0]
    # Many addresses, as a script spread over a botnet would be: the order id still locks.
    for guess in ("60601", "60602", "60603", "60604"):
        async with api_client(settings, client_address=_address()) as client:
            reply = await _ask(client, f"where is order {order.id}? postcode {guess}")
            assert "on its way" not in reply
    async with api_client(settings, client_address=_address()) as client:
        right = await _ask(client, f"where is order {order.id}? postcode {order.postcode}")
        assert "on its way" not in right and "too many attempts" in right, right
        assert order.tracking_number not in right
        # The owner is not stuck: signed in, the account proves it.
        token = mint_customer_token(settings.customer_token_secret.get_secret_value(),
                                    order.customer_id)
        created = await client.post("/v1/conversations", json={"customer_token": token})
        chat = Chat(created.json()["id"], created.json()["token"])
        mine = await say(client, chat, f"where is order {order.id}?")
        assert order.tracking_number and order.tracking_number in mine["reply"]["text"]


async def test_one_address_guessing_across_orders_is_locked_out(
        settings: Settings, orders: list[Order]) -> None:
    async with api_client(settings, client_address=_address()) as client:
        for n in range(11):
            await _ask(client, f"where is order #Q{900000 + n}? postcode 1000{n % 10}")
        fresh = orders[2]
        reply = await _ask(client, f"where is order {fresh.id}? my email is {fresh.email}")
        assert "too many attempts" in reply and fresh.tracking_number not in reply, reply
    async with api_client(settings, client_address=_address()) as other:
        reply = await _ask(other, f"where is order {fresh.id}? my email is {fresh.email}")
        assert fresh.tracking_number and fresh.tracking_number in reply, \
            "another address is not locked by this one's guesses"


async def test_the_postcode_alone_shows_the_status_and_the_email_the_tracking(
        settings: Settings, orders: list[Order]) -> None:
    order = orders[1]
    async with api_client(settings, client_address=_address()) as client:
        by_postcode = await _ask(client, f"where is order {order.id}? zip {order.postcode}")
        assert "on its way" in by_postcode and order.id in by_postcode
        assert order.tracking_number and order.tracking_number not in by_postcode
        assert "UPS" not in by_postcode and "Trail Tent" not in by_postcode
        assert "email" in by_postcode, "it says how to get the details"
        by_email = await _ask(client, f"where is order {order.id}? email {order.email}")
        assert order.tracking_number in by_email


async def test_unknown_order_ids_lock_out_the_same_way(settings: Settings) -> None:
    unknown = f"#Z{uuid.uuid4().int % 10**6:06d}"
    async with api_client(settings, client_address=_address()) as client:
        replies = [await _ask(client, f"where is order {unknown}? postcode 9021{n}")
                   for n in range(5)]
    assert "couldn't find" in replies[0]
    assert "too many attempts" in replies[-1], "a lock-out says nothing about existence"
