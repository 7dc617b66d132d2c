"""How many shoppers one machine serves with the embedded model, and the queue policy that
holds the time to first token.

Starts `tandem serve` (one worker, SQLite, the embedded model) once per queue policy, warms
it with one turn, then runs a ladder of concurrent shoppers.  Each shopper sends `--turns`
messages (the load bench's scripts) and, before each, reads and types for a pause drawn
from an exponential distribution with mean `--think` seconds (seeded: every run draws the
same pauses).  A shopper who types without pausing (`--think 0`) is the worst case: one
generation at a time on two cores then serves one such shopper at most.

Per rung it prints the time to the first streamed token (p50 / p95), the whole reply (p95),
and the share of turns the gate answered with the "one moment" template because no model
slot came in time (read from `GET /healthz`): a policy holds the target only if it keeps
the first token under `--budget` without telling most shoppers "one moment".

A policy is the server's `TANDEM_LLM_QUEUE_WAIT_S` (how long a shopper's turn may wait for
the model before the template answers) and `TANDEM_LLM_QUEUE_MAX` (how many may wait).

    python bench/load_capacity.py [--ladder 1,2,4,8] [--turns 4] [--think 10]
                                  [--policies 10:4,1.5:4] [--budget 2.0]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench import RESULTS_DIR, write_json
from bench.load import Run, _shopper, fresh_database
from bench.report import percentile


async def _gate(client: httpx.AsyncClient) -> dict[str, Any]:
    health = (await client.get("/healthz")).json()
    return (health.get("generations") or {}).get("by_priority", {}).get("shopper", {})


async def rung(url: str, *, shoppers: int, turns: int, think_s: float,
               timeout_s: float) -> dict[str, Any]:
    run = Run()
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(120)) as client:
        before = await _gate(client)
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*[
            _shopper(client, i, turns, run, True, think_s) for i in range(shoppers)]), timeout_s)
        wall = time.perf_counter() - started
        after = await _gate(client)

    def grew(name: str) -> int:
        return int(after.get(name, 0)) - int(before.get(name, 0))

    busy = grew("rejected_wait") + grew("rejected_queue_full")
    done = len(run.latencies)
    return {"shoppers": shoppers, "turns": done, "seconds": round(wall, 1),
            "ttft_p50_s": round(percentile(run.first_tokens, 0.5), 2),
            "ttft_p95_s": round(percentile(run.first_tokens, 0.95), 2),
            "reply_p95_s": round(percentile(run.latencies, 0.95), 2),
            "generations": grew("admitted"), "busy_template": busy,
            "busy_share": round(busy / done, 3) if done else 0.0,
            "errors": sum(run.errors.values()), "error_kinds": run.errors}


def run_policy(wait_s: float, queue_max: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    from bench.servers import start_server, stop_server

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, _ = fresh_database("sqlite", folder)
        env = {"TANDEM_LLM_PROVIDER": "embedded", "TANDEM_LLM_QUEUE_WAIT_S": str(wait_s),
               "TANDEM_LLM_QUEUE_MAX": str(queue_max), "TANDEM_RUNTIME_AUTOBUILD": "0"}
        server = start_server(url, folder, env=env, timeout_s=600)
        try:
            asyncio.run(rung(server.url, shoppers=1, turns=1, think_s=0,
                             timeout_s=args.timeout))  # loads and warms the model
            for shoppers in args.ladder:
                row = asyncio.run(rung(server.url, shoppers=shoppers, turns=args.turns,
                                       think_s=args.think, timeout_s=args.timeout))
                row |= {"queue_wait_s": wait_s, "queue_max": queue_max, "think_s": args.think}
                rows.append(row)
                print(f"wait {wait_s:>4} s, queue {queue_max}: {shoppers:>3} shoppers, "
                      f"{row['turns']} turns: first token p50 {row['ttft_p50_s']} s, "
                      f"p95 {row['ttft_p95_s']} s; reply p95 {row['reply_p95_s']} s; "
                      f"'one moment' {row['busy_template']} ({row['busy_share']:.0%}); "
                      f"errors {row['errors']}", flush=True)
        finally:
            stop_server(server)
    return rows


def capacity(rows: list[dict[str, Any]], budget_s: float, busy_limit: float) -> int:
    """The most shoppers of a policy's ladder whose first-token p95 stayed within the budget
    while at most `busy_limit` of their turns got the template instead of the model."""
    held = [r["shoppers"] for r in rows
            if r["ttft_p95_s"] <= budget_s and r["busy_share"] <= busy_limit and not r["errors"]]
    return max(held, default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ladder", default="1,2,4,8",
                        help="concurrent shoppers per rung, comma-separated")
    parser.add_argument("--turns", type=int, default=4, help="messages per shopper")
    parser.add_argument("--think", type=float, default=10.0,
                        help="mean seconds a shopper reads and types between messages")
    parser.add_argument("--policies", default="10:4,1.5:4",
                        help="queue policies as WAIT_S:QUEUE_MAX, comma-separated")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="the first-token p95 a rung must stay within, seconds")
    parser.add_argument("--busy-limit", type=float, default=0.1,
                        help="the share of 'one moment' answers a rung may give")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per rung")
    parser.add_argument("--out", default="load_capacity.json",
                        help="file name under bench/results/")
    args = parser.parse_args()
    args.ladder = [int(n) for n in args.ladder.split(",")]
    rows: list[dict[str, Any]] = []
    for policy in args.policies.split(","):
        wait_s, queue_max = policy.split(":")
        policy_rows = run_policy(float(wait_s), int(queue_max), args)
        rows += policy_rows
        print(f"policy wait {wait_s} s, queue {queue_max}: "
              f"{capacity(policy_rows, args.budget, args.busy_limit)} shoppers held "
              f"(first token p95 <= {args.budget} s, 'one moment' <= {args.busy_limit:.0%})",
              flush=True)
    write_json(RESULTS_DIR / args.out, rows)


if __name__ == "__main__":
    main()
