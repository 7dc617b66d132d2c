"""Faults, each checked by counting what the database holds afterwards: every message the
server accepted has exactly one reply.

The model timing out, erroring or writing garbage; the inventory service down; Redis gone;
a worker killed mid-traffic (a real `tandem serve` process, SIGKILL); PostgreSQL restarted
mid-traffic (marked `disruptive`: it restarts the machine's cluster, run it alone with
`-m disruptive`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from agent.commerce.inventory import InventoryUnavailable, StockAt
from agent.llm.scripted import ScriptedChatModel
from api.models import Message
from api.settings import Settings
from bench.servers import start_server, stop_server
from tests.conftest import api_client
from tests.helpers import Chat, say, start_chat


def _unanswered(engine: Engine, conversation_ids: Sequence[str]) -> tuple[int, int, list[int]]:
    """(shopper messages, assistant replies, shopper messages without exactly one reply)."""
    with Session(engine) as session:
        shopper = session.exec(select(Message).where(
            col(Message.conversation_id).in_(conversation_ids), Message.role == "shopper")).all()
        replies = session.exec(select(Message.reply_to, func.count()).where(
            col(Message.conversation_id).in_(conversation_ids), Message.role == "assistant",
        ).group_by(col(Message.reply_to))).all()
    counts = dict(replies)
    wrong = [m.id or 0 for m in shopper if m.route != "human" and counts.get(m.id) != 1]
    return len(shopper), sum(counts.values()), wrong


async def test_a_model_that_times_out_errors_or_writes_garbage_still_answers_every_turn(
        settings: Settings, engine: Engine) -> None:
    model = ScriptedChatModel(replies=[TimeoutError("model timed out"),
                                       RuntimeError("model crashed"),
                                       "}}{{ <|im_end|> $$$ 0.00 ###"])
    async with api_client(settings, model=model) as client:
        chat = await start_chat(client)
        turns = [await say(client, chat, text) for text in (
            "waterproof hiking jacket under $200, size M", "something in blue?",
            "fleece jacket size M")]
    assert all(t["reply"]["text"] for t in turns)
    assert "$$$" not in turns[2]["reply"]["text"]  # garbage never stands: the facts do
    assert _unanswered(engine, [chat.id]) == (3, 3, [])


class _DownInventory:
    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        raise InventoryUnavailable("inventory API timed out")


async def test_with_the_inventory_service_down_no_stock_is_claimed_and_the_turn_is_kept(
        settings: Settings, engine: Engine) -> None:
    async with api_client(settings, inventory=_DownInventory()) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, "waterproof hiking jacket under $200, size M")
    assert not [s for s in turn["reply"]["suggestions"] if s["in_stock"]]
    assert "in stock" not in turn["reply"]["text"].replace("can't confirm what's in stock", "")
    assert _unanswered(engine, [chat.id]) == (1, 1, [])


async def test_with_redis_gone_turns_and_pushed_events_still_work(
        settings: Settings, engine: Engine) -> None:
    gone = settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})  # nothing there
    async with api_client(gone) as client:
        chat = await start_chat(client)
        turns = [await say(client, chat, text) for text in ("hi", "where is my order #R10001?")]
    assert [t["intent"] for t in turns] == ["smalltalk", "order_status"]
    assert _unanswered(engine, [chat.id]) == (2, 2, [])


async def _shop_until_answered(url: str, chats: list[Chat], texts: list[str],
                               deadline_s: float) -> dict[str, int]:
    """Each shopper sends its messages; on a dropped connection or a 503 the same message
    (same client_message_id) is sent again until answered.  The ids are fixed per chat and
    text, so a shopper who resends after a restart sends the same message, as the widget
    does.  Returns status counts."""
    statuses: dict[str, int] = {}

    async def one(chat: Chat) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=20) as client:
            for number, text in enumerate(texts):
                key = uuid.uuid5(uuid.NAMESPACE_URL, f"{chat.id}/{number}").hex
                while time.monotonic() < deadline_s:
                    try:
                        response = await client.post(
                            f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
                            json={"text": text, "client_message_id": key})
                        status = str(response.status_code)
                    except httpx.HTTPError as exc:
                        status = exc.__class__.__name__
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == "200":
                        break
                    await asyncio.sleep(0.3)

    await asyncio.gather(*[one(chat) for chat in chats])
    return statuses


def _chats(url: str, count: int) -> list[Chat]:
    with httpx.Client(base_url=url) as client:
        return [Chat(**{k: v for k, v in client.post("/v1/conversations").json().items()
                        if k in ("id", "token")}) for _ in range(count)]


async def test_a_worker_killed_mid_traffic_loses_no_accepted_message(
        database_url: str, engine: Engine, tmp_path: Path) -> None:
    env = {"TANDEM_STRANDED_SWEEP_S": "1", "TANDEM_TURN_LEASE_S": "3"}
    server = start_server(database_url, tmp_path, env=env)
    chats = _chats(server.url, 12)
    texts = ["waterproof hiking jacket under $200, size M", "where is my order #R10001?",
             "something in blue?"]
    traffic = asyncio.create_task(_shop_until_answered(
        server.url, chats, texts, deadline_s=time.monotonic() + 25))
    await asyncio.sleep(0.8)
    os.kill(server.process.pid, signal.SIGKILL)  # mid-turn: no shutdown, no drain
    server.process.wait()
    traffic.cancel()  # the shoppers' retries go on below, to the restarted server
    with contextlib.suppress(asyncio.CancelledError):
        await traffic
    await asyncio.sleep(0.5)
    restarted = start_server(database_url, tmp_path, env=env)
    try:
        # The shoppers' retries now go to the restarted server (same database).
        statuses = await asyncio.wait_for(
            _shop_until_answered(restarted.url, chats, texts,
                                 deadline_s=time.monotonic() + 60), timeout=90)
        ids = [c.id for c in chats]
        for _ in range(100):  # the sweep answers what the killed worker left pending
            if not _unanswered(engine, ids)[2]:
                break
            await asyncio.sleep(0.2)
    finally:
        stop_server(restarted)
    messages, replies, wrong = _unanswered(engine, ids)
    assert wrong == [] and messages == replies == len(chats) * len(texts), statuses
    assert set(statuses) == {"200"}, statuses  # the retries after the restart all answered


def _restart_postgres() -> None:
    version = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True,
                             check=True).stdout.split()[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart",
                    "--mode", "fast"], check=True, timeout=60)


@pytest.mark.postgres
@pytest.mark.disruptive
async def test_a_postgres_restart_mid_traffic_gives_quick_503s_then_recovers_losing_nothing(
        database_url: str, engine: Engine, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("restarts PostgreSQL")
    server = start_server(database_url, tmp_path, env={"TANDEM_STRANDED_SWEEP_S": "1"})
    try:
        chats = _chats(server.url, 8)
        texts = ["hi", "where is my order #R10001?", "waterproof hiking jacket size M",
                 "what is your return policy?", "thanks!"]
        slowest_failure = 0.0

        async def timed_traffic() -> dict[str, int]:
            return await _shop_until_answered(server.url, chats, texts,
                                              deadline_s=time.monotonic() + 90)

        traffic = asyncio.create_task(timed_traffic())
        await asyncio.sleep(1.0)
        started = time.monotonic()
        await asyncio.to_thread(_restart_postgres)
        restart_s = time.monotonic() - started
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as probe:
            failed_at = time.monotonic()
            health = await probe.get("/healthz")
            slowest_failure = time.monotonic() - failed_at
        statuses = await asyncio.wait_for(traffic, timeout=120)
        ids = [c.id for c in chats]
        for _ in range(100):
            if not _unanswered(engine, ids)[2]:
                break
            await asyncio.sleep(0.2)
        log = server.log.read_text()
    finally:
        stop_server(server)
    messages, replies, wrong = _unanswered(engine, ids)
    tail = "\n".join(line for line in log.splitlines() if "INFO:     127.0.0.1" not in line)
    assert wrong == [] and messages == replies == len(chats) * len(texts), \
        (statuses, tail[-6000:])
    assert not set(statuses) - {"200", "503"}, statuses  # no 500, no dropped connection
    assert health.status_code in (200, 503) and slowest_failure < 5, restart_s
    assert "Traceback" not in log or "500 Internal Server Error" not in log
