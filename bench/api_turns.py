"""Turns per second and latency per turn through the API, with the scripted model.

Runs a fixed set of shopper conversations (discovery, sizing, order status, escalation) on
a fresh SQLite demo store, through the real app in process (httpx ASGI transport), and as
the baseline the same turns straight through the graph (no HTTP, no persistence), so the
ratio shows what the API layer costs.  Prints a table and writes bench/results/api_turns.json.

    python bench/api_turns.py [--rounds N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.commerce.demo_store import build_demo_store
from agent.commerce.inventory import DatabaseInventory
from agent.context import TandemContext
from agent.escalation import load_policy
from agent.graph import build_graph
from agent.llm.scripted import ScriptedChatModel
from agent.prompts import PromptLibrary
from api.app import create_app
from api.db import engine_for, session_scope
from api.settings import Settings
from bench import RESULTS_DIR

CONVERSATIONS = [
    ["hi", "waterproof hiking jacket under $200, size M", "something in blue?"],
    ["what size should I get in the rain jacket? I'm usually a M", "fleece jacket size M"],
    ["where is my order #R10001?", "my email is nobody@example.com"],
    ["hiking boots size 10", "this is ridiculous, I want a refund"],
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _api_run(settings: Settings, rounds: int) -> list[float]:
    app = create_app(settings, model=ScriptedChatModel())
    latencies: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(rounds):
                for script in CONVERSATIONS:
                    created = (await client.post("/v1/conversations")).json()
                    headers = {"Authorization": f"Bearer {created['token']}"}
                    for text in script:
                        started = time.perf_counter()
                        response = await client.post(
                            f"/v1/conversations/{created['id']}/messages", headers=headers,
                            json={"text": text, "client_message_id": uuid.uuid4().hex})
                        response.raise_for_status()
                        latencies.append(time.perf_counter() - started)
        for task in list(app.state.runtime.background):
            await task
        await app.state.runtime.jobs.wait_idle(60)  # the handoffs' AI summaries
    return latencies


async def _graph_run(settings: Settings, rounds: int) -> list[float]:
    engine = engine_for(settings.database_url)
    ctx = TandemContext(engine=engine, inventory=DatabaseInventory(engine),
                        model=ScriptedChatModel(),
                        policy=load_policy(settings.policies_dir / "escalation.yaml"),
                        prompts=PromptLibrary(settings.prompts_dir))
    graph = build_graph(InMemorySaver())
    latencies: list[float] = []
    for _ in range(rounds):
        for script in CONVERSATIONS:
            config = {"configurable": {"thread_id": uuid.uuid4().hex}}
            for text in script:
                started = time.perf_counter()
                await graph.ainvoke({"messages": [HumanMessage(text)]}, config, context=ctx)
                latencies.append(time.perf_counter() - started)
    return latencies


def _summary(latencies: list[float], wall: float) -> dict[str, Any]:
    return {"turns": len(latencies), "turns_per_s": round(len(latencies) / wall, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(_percentile(latencies, 0.95) * 1000, 2)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with session_scope(engine_for(url)) as session:
            build_demo_store(session, seed=7)
        settings = Settings(_env_file=None, environment="test",  # type: ignore[call-arg]
                            database_url=url, llm_provider="scripted")
        results: dict[str, Any] = {}
        for name, runner in (("graph only (baseline)", _graph_run), ("through the API", _api_run)):
            started = time.perf_counter()
            latencies = await runner(settings, args.rounds)
            results[name] = _summary(latencies, time.perf_counter() - started)
    base, api = results["graph only (baseline)"], results["through the API"]
    results["ratio api/baseline p50"] = round(api["p50_ms"] / base["p50_ms"], 2)
    print(f"{'run':<24}{'turns':>7}{'turns/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for name in ("graph only (baseline)", "through the API"):
        r = results[name]
        print(f"{name:<24}{r['turns']:>7}{r['turns_per_s']:>10}{r['p50_ms']:>10}{r['p95_ms']:>10}")
    print(f"API cost vs graph alone (p50 ratio): {results['ratio api/baseline p50']}x")
    out = RESULTS_DIR / "api_turns.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
