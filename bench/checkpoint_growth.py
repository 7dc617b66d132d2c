"""Checkpoint storage per conversation length: bounded graph state against the unbounded
message list it replaced, in the same process.

One conversation of N turns (the scripted model, a fresh SQLite demo store per run) through
the turn service; after it, the bytes the SQLite checkpointer holds for the thread (every
checkpoint and pending write).  The baseline keeps every message in the graph's state (as
before `agent.state.MAX_STATE_MESSAGES`), so each step rewrote the whole transcript.
Prints bytes per turn count and the ratio; writes bench/results/checkpoint_growth.json.

    python bench/checkpoint_growth.py [--turns 10 20 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import uuid
from pathlib import Path
from typing import Any

import agent.state
from agent.commerce.demo_store import build_demo_store
from agent.llm.scripted import ScriptedChatModel
from api.db import engine_for, session_scope
from api.runtime import open_runtime
from api.services.conversations import create_conversation
from api.services.turns import run_turn
from api.settings import Settings, ephemeral_secrets
from bench import RESULTS_DIR

TEXTS = ("hiking socks size 9", "rain jacket under $200", "what size should I get?")


def _thread_bytes(path: Path, thread_id: str) -> int:
    with sqlite3.connect(path) as db:
        total = 0
        for table in ("checkpoints", "writes"):
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            sizes = " + ".join(f"coalesce(length({c}), 0)" for c in columns)
            total += db.execute(f"SELECT coalesce(sum({sizes}), 0) FROM {table} "
                                "WHERE thread_id = ?", (thread_id,)).fetchone()[0]
        return int(total)


async def _one(turns: int, keep: int) -> int:
    folder = Path(tempfile.mkdtemp(prefix="tandem-bench-ckpt-"))
    settings = Settings(_env_file=None, environment="test",  # type: ignore[call-arg]
                        database_url=f"sqlite:///{folder / 'tandem.db'}",
                        llm_provider="scripted", **ephemeral_secrets())
    with session_scope(engine_for(settings.database_url)) as session:
        build_demo_store(session, seed=7)
    agent.state.MAX_STATE_MESSAGES = keep  # read by the reducer at every step
    async with open_runtime(settings, model=ScriptedChatModel()) as runtime:
        with session_scope(runtime.engine) as session:
            conversation, _ = create_conversation(session=session, personalization=False)
        for n in range(turns):
            async for _event in run_turn(runtime, conversation_id=conversation.id,
                                         text=TEXTS[n % len(TEXTS)],
                                         client_message_id=uuid.uuid4().hex):
                pass
    return _thread_bytes(folder / "tandem.db", conversation.id)


async def run(turn_counts: list[int]) -> dict[str, Any]:
    bounded_keep = agent.state.MAX_STATE_MESSAGES
    rows: dict[str, Any] = {}
    try:
        for turns in turn_counts:
            unbounded = await _one(turns, 10**9)
            bounded = await _one(turns, bounded_keep)
            rows[str(turns)] = {"unbounded_bytes": unbounded, "bounded_bytes": bounded,
                                "ratio": round(bounded / unbounded, 3)}
    finally:
        agent.state.MAX_STATE_MESSAGES = bounded_keep
    return {"kept_messages": bounded_keep, "turns": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[10, 20, 40])
    args = parser.parse_args()
    result = asyncio.run(run(args.turns))
    print(f"messages kept in graph state: {result['kept_messages']}")
    print(f"{'turns':>6} {'unbounded':>12} {'bounded':>12} {'ratio':>7}")
    for turns, row in result["turns"].items():
        print(f"{turns:>6} {row['unbounded_bytes']:>12,} {row['bounded_bytes']:>12,} "
              f"{row['ratio']:>7}")
    out = RESULTS_DIR / "checkpoint_growth.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
