"""Time to export and to erase one signed-in shopper with 50 conversations.

On a fresh SQLite demo store, through the real app in process (httpx ASGI transport): each
round signs a new customer in 50 times, with two turns per conversation (so every
conversation has messages, suggestions with evidence, consent events and checkpoints), then
times `GET /v1/me/data` and `DELETE /v1/me/data`.  The baseline is reading one transcript
(`GET /v1/conversations/{id}`) in the same process.  Prints a table and writes
bench/results/privacy.json.

    python bench/privacy.py [--rounds N] [--conversations N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from agent.commerce.demo_store import build_demo_store
from agent.llm.scripted import ScriptedChatModel
from api.app import create_app
from api.customer_tokens import mint_customer_token
from api.db import engine_for, session_scope
from api.settings import Settings, ephemeral_secrets
from bench import RESULTS_DIR

TURNS = ("rain jacket size M", "where is my order?")


async def _fill(client: httpx.AsyncClient, token: str, n: int) -> tuple[str, str]:
    chat_id = chat_token = ""
    for i in range(n):
        created = (await client.post("/v1/conversations", json={"customer_token": token})).json()
        chat_id, chat_token = created["id"], created["token"]
        for j, text in enumerate(TURNS):
            response = await client.post(
                f"/v1/conversations/{chat_id}/messages",
                headers={"Authorization": f"Bearer {chat_token}"},
                json={"text": text, "client_message_id": f"b{i}-{j}"})
            response.raise_for_status()
    return chat_id, chat_token


async def _timed(call: Any) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await call
    return time.perf_counter() - started, response


async def run(rounds: int, conversations: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="tandem-bench-privacy-"))
    settings = Settings(_env_file=None, environment="test", **ephemeral_secrets(),  # type: ignore[call-arg]
                        database_url=f"sqlite:///{folder / 'tandem.db'}",
                        llm_provider="scripted", rate_limit_ip_per_minute=0,
                        rate_limit_conversation_per_minute=0)
    with session_scope(engine_for(settings.database_url)) as session:
        customers = build_demo_store(session, seed=7).regular_customer_ids
    app = create_app(settings, model=ScriptedChatModel())
    times: dict[str, list[float]] = {"read one transcript": [], "export": [], "erase": []}
    sizes: list[int] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for customer in customers[:rounds]:
                token = mint_customer_token(
                    settings.customer_token_secret.get_secret_value(), customer)
                chat_id, chat_token = await _fill(client, token, conversations)
                for _ in range(5):
                    took, _r = await _timed(client.get(
                        f"/v1/conversations/{chat_id}",
                        headers={"Authorization": f"Bearer {chat_token}"}))
                    times["read one transcript"].append(took)
                signed = {"X-Customer-Token": mint_customer_token(
                    settings.customer_token_secret.get_secret_value(), customer, ttl_s=600,
                    scope="data")}
                took, exported = await _timed(client.get("/v1/me/data", headers=signed))
                assert len(exported.json()["conversations"]) == conversations
                times["export"].append(took)
                sizes.append(len(exported.content))
                took, erased = await _timed(client.delete("/v1/me/data", headers=signed))
                assert erased.json()["conversations"] == conversations
                times["erase"].append(took)
    result = {name: {"median_ms": round(1000 * statistics.median(v), 1),
                     "max_ms": round(1000 * max(v), 1), "n": len(v)}
              for name, v in times.items()}
    result["conversations_per_shopper"] = {"n": conversations, "turns_each": len(TURNS),
                                           "export_bytes_median": int(statistics.median(sizes))}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="shoppers (max 8)")
    parser.add_argument("--conversations", type=int, default=50)
    args = parser.parse_args()
    result = asyncio.run(run(min(args.rounds, 8), args.conversations))
    for name, row in result.items():
        print(f"{name:24} {row}")
    out = RESULTS_DIR / "privacy.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
