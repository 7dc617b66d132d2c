"""Where a turn spends its time outside the model: pyinstrument over turns through the API.

Runs the load bench's shopper scripts in process (httpx ASGI transport, the scripted model:
no time in a model) on a fresh demo store, sequentially so the profile shows one turn's
own work, and prints the per-turn time and pyinstrument's call tree (`--html FILE` writes
the interactive one).

    python bench/profile_turn.py [--database-url URL] [--rounds 5] [--html out.html]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from pyinstrument import Profiler

from agent.commerce.demo_store import build_demo_store
from agent.commerce.semantic import index_products
from agent.llm.scripted import ScriptedChatModel
from api.app import create_app
from api.db import engine_for, session_scope
from api.settings import Settings
from bench.load import SCRIPTS
from bench.servers import SECRETS


async def _turns(settings: Settings, rounds: int, profiler: Profiler | None) -> list[float]:
    app = create_app(settings, model=ScriptedChatModel())
    latencies: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for round_ in range(rounds + 1):  # the first round warms caches, unprofiled
                if round_ == 1 and profiler is not None:
                    profiler.start()
                for script in SCRIPTS:
                    chat = (await client.post("/v1/conversations")).json()
                    headers = {"Authorization": f"Bearer {chat['token']}"}
                    for text in script:
                        started = time.perf_counter()
                        response = await client.post(
                            f"/v1/conversations/{chat['id']}/messages", headers=headers,
                            json={"text": text, "client_message_id": uuid.uuid4().hex})
                        response.raise_for_status()
                        if round_:
                            latencies.append(time.perf_counter() - started)
            if profiler is not None:
                profiler.stop()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--html", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'profile.db'}"
        with session_scope(engine_for(url)) as session:
            build_demo_store(session, seed=7)
            index_products(session)
        secrets = {name.removeprefix("TANDEM_").lower(): value
                   for name, value in SECRETS.items()}  # the test environment wants real ones
        settings = Settings(_env_file=None, environment="test",  # type: ignore[call-arg]
                            database_url=url, llm_provider="scripted", **secrets,
                            rate_limit_ip_per_minute=0, rate_limit_conversation_per_minute=0)
        plain = asyncio.run(_turns(settings, args.rounds, None))
        profiler = Profiler(async_mode="enabled", interval=0.0005)
        asyncio.run(_turns(settings, args.rounds, profiler))
    print(f"{len(plain)} turns one at a time: p50 {statistics.median(plain) * 1000:.1f} ms, "
          f"mean {statistics.mean(plain) * 1000:.1f} ms (unprofiled)")
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
