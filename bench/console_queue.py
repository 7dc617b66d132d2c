"""How the agent console behaves with a full queue, and how fast a handoff reaches it.

1. Page time: fills a fresh SQLite store with N open handoffs (default 200, with reasons,
   rule-based and AI summaries, some contact emails), signs in through the console form and
   times `GET /console` and the polled `GET /console/queue/rows`, against `GET /healthz` in
   the same process as the baseline (what the app costs with no work at all).
2. Shopper to queue: a shopper asks for a person; the clock runs from sending the message
   until the console's queue rows (what the page polls) first show the handoff.  In a
   browser add up to `console_refresh_s` (the poll interval) to this.

Runs the real app in process (httpx ASGI transport, scripted model).  Prints a table and
writes bench/results/console_queue.json.

    python bench/console_queue.py [--handoffs N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from agent.llm.scripted import ScriptedChatModel
from api.app import create_app
from api.db import engine_for, session_scope
from api.models import Conversation, Handoff, ShopperContact
from api.services.handoffs import create_agent
from api.settings import Settings
from bench import RESULTS_DIR
from domain.tables import utcnow

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
RULES = [("safety", 1, "distressed"), ("legal_threat", 1, "angry"), ("anger", 2, "angry"),
         ("complaint", 2, "frustrated"), ("human_request", 2, "neutral"),
         ("returns", 3, "neutral")]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _fill(url: str, count: int) -> None:
    engine = engine_for(url)
    with session_scope(engine) as session:
        create_agent(session=session, username="bench", password="bench-password",
                     display_name="Bench")
        for i in range(count):
            rule, priority, mood = RULES[i % len(RULES)]
            conversation = Conversation(id=str(uuid.uuid4()), token_hash="0" * 64, mode="human")
            session.add(conversation)
            session.flush()
            handoff = Handoff(
                id=str(uuid.uuid4()), conversation_id=conversation.id, priority=priority,
                rule=rule, mood=mood, reasons=[f"{rule}: matched 'example {i}'"],
                created_at=utcnow() - timedelta(minutes=i * 1.7),
                summary={"wants": f"My order #W{i:07d} arrived damaged and I want a refund",
                         "orders": [f"#W{i:07d}"], "earlier_messages": ["hi"],
                         "already_tried": ["Here are 3 options in stock now."],
                         "ai": {"wants": "A refund for a damaged order", "order_ids": [],
                                "mood": mood, "mood_evidence": "says damaged",
                                "already_tried": "order status", "next_step": "Offer refund",
                                "reply_draft": "Sorry about that; I can refund it now."}})
            session.add(handoff)
            if i % 5 == 0:
                session.flush()
                session.add(ShopperContact(conversation_id=conversation.id,
                                           handoff_id=handoff.id, email=f"s{i}@example.com"))


async def _timed(client: httpx.AsyncClient, path: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = await client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times


async def _shopper_to_queue(client: httpx.AsyncClient, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        created = (await client.post("/v1/conversations")).json()
        headers = {"Authorization": f"Bearer {created['token']}"}
        started = time.perf_counter()
        turn = await client.post(f"/v1/conversations/{created['id']}/messages",
                                 headers=headers,
                                 json={"text": "I want to speak to a real person"})
        handoff_id = turn.json()["handoff"]["id"]
        while handoff_id not in (await client.get("/console/queue/rows")).text:
            await asyncio.sleep(0.005)
        times.append(time.perf_counter() - started)
    return times


async def run(handoffs: int, rounds: int) -> dict[str, Any]:
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'console-bench.db'}"
    _fill(url, handoffs)
    settings = Settings(_env_file=None, environment="development",  # type: ignore[call-arg]
                        database_url=url, llm_provider="scripted")
    app = create_app(settings, model=ScriptedChatModel())
    results: dict[str, Any] = {"handoffs": handoffs, "rounds": rounds}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            login = await client.get("/console/login")
            token = CSRF.search(login.text)
            assert token is not None
            signed = await client.post("/console/login", data={
                "username": "bench", "password": "bench-password",
                "csrf_token": token.group(1)})
            assert signed.status_code == 303, signed.text
            page = await client.get("/console")
            results["page_kb"] = round(len(page.content) / 1024, 1)
            results["rows_shown"] = page.text.count("data-handoff=")
            for name, path in (("healthz", "/healthz"), ("console", "/console"),
                               ("queue_rows", "/console/queue/rows")):
                await _timed(client, path, 3)  # warm up templates and caches
                times = await _timed(client, path, rounds)
                results[name] = {"p50_ms": round(statistics.median(times) * 1000, 2),
                                 "p95_ms": round(_percentile(times, 0.95) * 1000, 2)}
            lag = await _shopper_to_queue(client, max(5, rounds // 5))
            results["shopper_to_queue"] = {
                "p50_ms": round(statistics.median(lag) * 1000, 1),
                "p95_ms": round(_percentile(lag, 0.95) * 1000, 1),
                "plus_browser_poll_s": settings.console_refresh_s}
        for task in list(app.state.runtime.background):
            await task
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--handoffs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    results = asyncio.run(run(args.handoffs, args.rounds))
    print(f"{results['handoffs']} open handoffs, {results['rows_shown']} rows shown, "
          f"queue page {results['page_kb']} KiB, {results['rounds']} requests each")
    print(f"{'request':<22}{'p50 ms':>10}{'p95 ms':>10}")
    for name in ("healthz", "console", "queue_rows", "shopper_to_queue"):
        print(f"{name:<22}{results[name]['p50_ms']:>10}{results[name]['p95_ms']:>10}")
    print(f"(shopper_to_queue: from sending the message to the queue rows showing the handoff; "
          f"a browser adds up to {results['shopper_to_queue']['plus_browser_poll_s']} s of "
          f"polling)")
    out = RESULTS_DIR / "console_queue.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
