"""The high-value-customer trigger: a big spender's handoff moves up the queue, with why."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from api.customer_tokens import mint_customer_token
from api.models import Handoff
from api.settings import Settings
from domain.tables import Order
from tests.conftest import TEST_SECRETS, api_client, make_settings
from tests.helpers import Chat, say

SECRET = TEST_SECRETS["customer_token_secret"].get_secret_value()


def _policy_with_high_value(tmp_path: Path, min_spend: float) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(make_settings().policies_dir, folder)
    path = folder / "escalation.yaml"
    text = path.read_text()
    old = ("  high_value_customers:\n    enabled: false\n"
           "    min_lifetime_spend: 1000\n    priority: 2")
    assert old in text
    path.write_text(text.replace(old, "  high_value_customers:\n    enabled: true\n"
                                      f"    min_lifetime_spend: {min_spend}\n    priority: 1"))
    return folder


def _customers_by_spend(engine: Engine) -> tuple[str, str, float]:
    """(the biggest spender, the smallest, the biggest one's spend in dollars)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Order.customer_id, func.sum(Order.total_cents))
            .where(col(Order.status) != "cancelled")
            .group_by(col(Order.customer_id)).order_by(func.sum(Order.total_cents))).all()
    return rows[-1][0], rows[0][0], rows[-1][1] / 100


async def _ask_for_a_person(client: httpx.AsyncClient, customer_id: str) -> Chat:
    token = mint_customer_token(SECRET, customer_id, ttl_s=600)
    response = await client.post("/v1/conversations", json={"customer_token": token})
    assert response.status_code == 201, response.text
    chat = Chat(id=response.json()["id"], token=response.json()["token"])
    result = await say(client, chat, "can I talk to a person please")
    assert result["route"] == "human"
    return chat


async def test_a_high_value_customer_jumps_the_queue_and_the_reason_is_stored(
        settings: Settings, engine: Engine, tmp_path: Path) -> None:
    big, small, big_spend = _customers_by_spend(engine)
    policies = _policy_with_high_value(tmp_path, min_spend=big_spend - 1)
    async with api_client(settings.model_copy(update={"policies_dir": policies})) as client:
        big_chat = await _ask_for_a_person(client, big)
        small_chat = await _ask_for_a_person(client, small)
    with Session(engine) as session:
        big_handoff = session.exec(select(Handoff).where(
            Handoff.conversation_id == big_chat.id)).one()
        small_handoff = session.exec(select(Handoff).where(
            Handoff.conversation_id == small_chat.id)).one()
    assert big_handoff.priority == 1
    assert any(r.startswith("high-value customer: lifetime spend $") for r in big_handoff.reasons)
    assert small_handoff.priority == 2, "the human_request rule's own priority"
    assert not any("high-value" in r for r in small_handoff.reasons)


async def test_switched_off_the_trigger_changes_nothing(
        client: httpx.AsyncClient, engine: Engine) -> None:
    big, _, _ = _customers_by_spend(engine)
    chat = await _ask_for_a_person(client, big)
    with Session(engine) as session:
        handoff = session.exec(select(Handoff).where(Handoff.conversation_id == chat.id)).one()
    assert handoff.priority == 2 and not any("high-value" in r for r in handoff.reasons)
