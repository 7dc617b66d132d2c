"""With personalisation off, the graph reads no history or profile and writes no profile.

Checked by what the graph reads: the `TandemContext.reads` audit and, independently, every
SQL statement the engine runs during the turn (a spy on the real engine).  Each test has a
personalisation-on control, so it would fail if the switch did nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.commerce.inventory import DatabaseInventory
from agent.context import TandemContext
from agent.escalation import load_policy
from agent.graph import build_graph
from agent.prompts import PromptLibrary
from api.customer_tokens import mint_customer_token
from api.settings import Settings
from domain.tables import ShopperProfile
from tests.conftest import api_client
from tests.explain.test_explanations import forget_profile, regulars
from tests.helpers import Chat, say

ROOT = Path(__file__).resolve().parents[2]
PERSONAL_TABLES = ("shop_order", "orderitem", "shopperprofile", "customer")
PERSONAL_READS = {"orders:history", "profile", "profile:write", "customer_profile"}


@contextmanager
def sql_spy(engine: Engine) -> Iterator[list[str]]:
    """Every statement the engine runs inside the block, lower-cased."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _touches_personal_data(statements: list[str]) -> list[str]:
    return [s for s in statements if any(f" {t}" in s or f'"{t}"' in s for t in PERSONAL_TABLES)]


async def _turn(engine: Engine, text: str, *, customer_id: str, personalization: bool
                ) -> tuple[dict[str, Any], TandemContext, list[str]]:
    ctx = TandemContext(engine=engine, inventory=DatabaseInventory(engine), model=None,
                        policy=load_policy(ROOT / "policies" / "escalation.yaml"),
                        prompts=PromptLibrary(ROOT / "prompts"), customer_id=customer_id,
                        personalization=personalization)
    graph = build_graph(InMemorySaver())
    with sql_spy(engine) as statements:
        state = await graph.ainvoke({"messages": [HumanMessage(text)]},
                                    {"configurable": {"thread_id": uuid.uuid4().hex}},
                                    context=ctx)
    return state, ctx, statements


async def test_personalisation_off_reads_no_purchase_history_or_profile(engine: Engine) -> None:
    customer = regulars(engine, 1)[0]
    for text in ("hiking boots", "trail running shoes", "fleece", "rain jacket"):
        _on, ctx_on, sql_on = await _turn(engine, text, customer_id=customer,
                                         personalization=True)
        off, ctx_off, sql_off = await _turn(engine, text, customer_id=customer,
                                            personalization=False)
        assert {"orders:history", "profile"} <= set(ctx_on.reads), "control: on reads them"
        assert _touches_personal_data(sql_on), "control: the spy sees the history query"
        assert not PERSONAL_READS & set(ctx_off.reads), ctx_off.reads
        assert _touches_personal_data(sql_off) == [], "off: no order/profile/customer SQL"
        for s in off["suggestions"]:
            assert all(e["kind"] != "history" and e["source"] not in ("orders", "profile")
                       for e in s["evidence"]), s["because"]
            assert "you bought" not in s["because"] and "before" not in s["because"]


async def test_personalisation_off_writes_nothing_to_the_profile(engine: Engine) -> None:
    customer = regulars(engine, 1)[0]
    forget_profile(engine, customer)
    try:
        _, ctx, sql = await _turn(engine, "rain jacket size M", customer_id=customer,
                                  personalization=False)
        with Session(engine) as session:
            assert session.get(ShopperProfile, customer) is None
        assert "profile:write" not in ctx.reads
        assert not [s for s in sql if s.startswith(("insert", "update")) and "profile" in s]
        _, ctx, _ = await _turn(engine, "rain jacket size M", customer_id=customer,
                                personalization=True)
        with Session(engine) as session:
            profile = session.get(ShopperProfile, customer)
            assert profile is not None and "M" in profile.sizes.values(), "control: on writes"
    finally:
        forget_profile(engine, customer)


async def test_switching_off_through_the_api_stops_reads_from_the_next_turn(
        settings: Settings, engine: Engine) -> None:
    customer = regulars(engine, 1)[0]
    token = mint_customer_token(settings.customer_token_secret.get_secret_value(), customer)
    async with api_client(settings) as client:
        created = await client.post("/v1/conversations", json={"customer_token": token})
        chat = Chat(created.json()["id"], created.json()["token"])
        with sql_spy(engine) as on:
            await say(client, chat, "hiking boots")
        switched = await client.put(f"/v1/conversations/{chat.id}/privacy",
                                    headers=chat.headers, json={"personalization": False})
        assert switched.status_code == 200
        with sql_spy(engine) as off:
            turn = await say(client, chat, "trail running shoes size 9")
            why = await say(client, chat, "why did you suggest that?")
        data = await client.get("/v1/me/data", headers=chat.headers)
    forget_profile(engine, customer)
    assert _touches_personal_data(on), "control: on, the history was read"
    history = [s for s in off if any(f" {t}" in s for t in ("shop_order", "shopperprofile"))]
    assert history == [], "off: no order history or profile SQL at all"
    assert all("you bought" not in s["because"] for s in turn["reply"]["suggestions"])
    assert "past orders" not in why["reply"]["text"]
    consent = data.json()["conversations"][0]["consent_history"]
    assert [c["personalization"] for c in consent] == [settings.personalization_default, False]
    assert all(c["created_at"] and c["source"] for c in consent)


async def test_the_default_comes_from_settings(settings: Settings) -> None:
    off_by_default = settings.model_copy(update={"personalization_default": False})
    async with api_client(off_by_default) as client:
        created = await client.post("/v1/conversations")
        chat = Chat(created.json()["id"], created.json()["token"])
        transcript = await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
    assert transcript.json()["personalization"] is False
