"""A month of simulated traffic through the real HTTP API, with a known true lift.

    python bench/experiment_month.py [--visitors 6000] [--lift 0.1] [--seed 19]

Drives the app in process (httpx over ASGI, the scripted model, a fresh SQLite demo store):
an admin starts the experiment through the admin API; every visitor's widget asks
`GET /v1/assignments`; some visitors chat (`POST /v1/conversations` with their visitor id,
then messages through the real graph: the assistant group asks about products, the
control's messages go straight to a person); agents resolve the handoffs through the agent
API; the retailer's server reports purchases, returns and CSAT answers with
`POST /v1/events`; the report is read from `GET /v1/admin/experiments/NAME/report`.

What is simulated: the shoppers (who buys, for how much, who chats; the assistant group
buys (1 + lift) times as often, by construction, not because of what the scripted model
said) and the clock: each simulated day's exposures, conversations, messages and handoffs
are moved back to that day in the database after the API wrote them "now".

Prints the true and the estimated lift with its interval, the SRM check, the conversation
outcomes per variant and the time taken; writes bench/results/experiment_month.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import update
from sqlmodel import col, select

from agent.commerce.demo_store import build_demo_store
from agent.llm.scripted import ScriptedChatModel
from api.app import create_app
from api.db import engine_for, session_scope
from api.models import Conversation, ConversationVisitor, Experiment, Exposure, Handoff, Message
from api.services.handoffs import create_agent
from api.settings import Settings
from bench import RESULTS_DIR
from bench.experiment_sim import Shop
from domain.tables import utcnow

KEY = "bench-storefront-key-0123456789abcdef"
QUESTIONS = ["waterproof hiking jacket under $200, size M", "hiking boots size 10",
             "a warm fleece jacket", "do you have a sleeping bag?"]
DAYS = 30


async def _login(client: httpx.AsyncClient, user: str, password: str) -> dict[str, str]:
    response = await client.post("/v1/agent/login", json={"username": user, "password": password})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _backdate(engine: Any, experiment_id: int, visitors: dict[str, datetime],
              conversations: dict[str, datetime]) -> None:
    """Move what the API wrote "now" back to the simulated moment."""
    with session_scope(engine) as session:
        for visitor, at in visitors.items():
            session.execute(update(Exposure).where(
                col(Exposure.experiment_id) == experiment_id, col(Exposure.visitor_id) == visitor)
                .values(first_seen_at=at))
        for conversation_id, at in conversations.items():
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                continue
            shift = at - conversation.created_at
            conversation.created_at = at
            link = session.get(ConversationVisitor, conversation_id)
            if link is not None:
                link.created_at = at
            for message in session.exec(select(Message).where(
                    Message.conversation_id == conversation_id)):
                message.created_at += shift
            for handoff in session.exec(select(Handoff).where(
                    Handoff.conversation_id == conversation_id)):
                handoff.created_at += shift
                if handoff.claimed_at is not None:
                    handoff.claimed_at += shift
                if handoff.closed_at is not None:
                    handoff.closed_at += shift


async def run_month(visitors: int, lift: float, seed: int, database_url: str) -> dict[str, Any]:
    rng = random.Random(seed)
    shop = Shop()
    engine = engine_for(database_url)
    with session_scope(engine) as session:
        build_demo_store(session, seed=7)
        create_agent(session=session, username="admin", password="admin-password",
                     display_name="Ada", is_admin=True)
    settings = Settings(_env_file=None, environment="test", database_url=database_url,
                        llm_provider="scripted", storefront_key=SecretStr(KEY),
                        rate_limit_ip_per_minute=0, rate_limit_conversation_per_minute=0)
    app = create_app(settings, model=ScriptedChatModel())
    started = time.perf_counter()
    counts = {"assignments": 0, "conversations": 0, "turns": 0, "events": 0, "resolved": 0}
    name = f"month-{uuid.uuid4().hex[:6]}"
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                     timeout=60) as client:
            admin = await _login(client, "admin", "admin-password")
            created = await client.post("/v1/admin/experiments", headers=admin, json={
                "name": name, "variants": {"control": 0.5, "assistant": 0.5},
                "primary": "conversion", "guardrails": ["return_rate", "aov", "csat"],
                "horizon_days": 28})
            created.raise_for_status()
            day0 = utcnow() - timedelta(days=DAYS)
            with session_scope(engine) as session:
                experiment = session.exec(select(Experiment).where(
                    Experiment.name == name)).one()
                experiment.started_at = day0
            events: list[dict[str, Any]] = []
            for day in range(DAYS):
                seen_at: dict[str, datetime] = {}
                chats: dict[str, datetime] = {}
                for i in range(visitors // DAYS):
                    visitor = f"{name}-d{day}-{i}"
                    at = day0 + timedelta(days=day, seconds=rng.uniform(0, 86_000))
                    answer = await client.get("/v1/assignments", params={"visitor_id": visitor})
                    counts["assignments"] += 1
                    variant = answer.json()["experiments"][name]
                    seen_at[visitor] = at
                    assistant = answer.json()["assistant"]
                    if rng.random() < (0.08 if assistant else 0.04):
                        chat = (await client.post("/v1/conversations",
                                                  json={"visitor_id": visitor})).json()
                        headers = {"Authorization": f"Bearer {chat['token']}"}
                        for text in rng.sample(QUESTIONS, rng.choice([1, 2])):
                            turn = await client.post(
                                f"/v1/conversations/{chat['id']}/messages", headers=headers,
                                json={"text": text, "client_message_id": uuid.uuid4().hex})
                            turn.raise_for_status()
                            counts["turns"] += 1
                            handoff = turn.json().get("handoff")
                            if handoff and handoff["status"] == "open":
                                await _resolve(client, admin, handoff["id"], rng, counts)
                        chats[chat["id"]] = at + timedelta(minutes=1)
                        counts["conversations"] += 1
                        if rng.random() < 0.3:
                            events.append({"event_id": f"{visitor}-chat-csat", "type": "csat",
                                           "visitor_id": visitor, "conversation_id": chat["id"],
                                           "score": rng.choice([3, 4, 4, 5, 5]),
                                           "ts": (at + timedelta(minutes=30)).isoformat()})
                    events += _shopper_events(rng, shop, visitor, at, variant == "assistant",
                                              lift)
                _backdate(engine, experiment.id or 0, seen_at, chats)
            for start in range(0, len(events), 500):
                batch = [e for e in events[start:start + 500]
                         if datetime.fromisoformat(e["ts"]) < utcnow()]
                sent = await client.post("/v1/events", json=batch,
                                         headers={"Authorization": f"Bearer {KEY}"})
                sent.raise_for_status()
                counts["events"] += sent.json()["accepted"]
            report = (await client.get(f"/v1/admin/experiments/{name}/report",
                                       headers=admin)).json()
    seconds = time.perf_counter() - started
    conversion = report["metrics"]["conversion"]
    ci = conversion["ci95"]
    result = {"visitors": visitors, "days": DAYS, "true_lift": lift, "seed": seed,
              "estimated_lift": conversion["lift"], "ci95": ci,
              "covered": ci is not None and ci[0] <= lift <= ci[1],
              "p_value": conversion["p_value"], "verdict": conversion["verdict"],
              "srm_p": report["srm_p"], "visitors_by_variant": report["srm"]["visitors"],
              "handoff_rate": {v: report["metrics"]["handoff_rate"].get(v)
                               for v in report["variants"]},
              "handoffs_by_reason": report["handoffs_by_reason"],
              "counts": counts, "seconds": round(seconds, 1)}
    print(f"A month ({DAYS} days) of {visitors:,} visitors through the API in {seconds:.0f} s: "
          f"{counts['assignments']:,} assignments, {counts['conversations']} conversations "
          f"({counts['turns']} turns), {counts['events']:,} events")
    print(f"  conversion lift: true {lift:+.1%}, estimated {conversion['lift']:+.1%} "
          f"[{ci[0]:+.1%}, {ci[1]:+.1%}], p = {conversion['p_value']:.3f}, verdict "
          f"{conversion['verdict']!r}; SRM p = {report['srm_p']:.3f}")
    print(f"  handoff rate per conversation: {result['handoff_rate']}")
    return result


async def _resolve(client: httpx.AsyncClient, admin: dict[str, str], handoff_id: str,
                   rng: random.Random, counts: dict[str, int]) -> None:
    """An agent claims, replies and resolves with a verdict (the agent API)."""
    await client.post(f"/v1/agent/handoffs/{handoff_id}/claim", headers=admin)
    await client.post(f"/v1/agent/handoffs/{handoff_id}/messages", headers=admin,
                      json={"text": "Happy to help: here is what we have."})
    done = await client.post(f"/v1/agent/handoffs/{handoff_id}/resolve", headers=admin,
                             json={"reason": "answered", "needed_person": rng.random() < 0.5})
    counts["resolved"] += done.status_code == 200


def _shopper_events(rng: random.Random, shop: Shop, visitor: str, at: datetime,
                    assistant: bool, lift: float) -> list[dict[str, Any]]:
    from bench.experiment_sim import _events_for

    return [e.model_dump(mode="json", exclude_none=True)
            for e in _events_for(rng, shop, visitor, at, assistant, lift, utcnow())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=6000)
    parser.add_argument("--lift", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(run_month(args.visitors, args.lift, args.seed,
                                       f"sqlite:///{Path(folder) / 'month.db'}"))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / "experiment_month.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
