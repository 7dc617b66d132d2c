"""Many shoppers at once against real `tandem serve` processes: turns/s, latency, errors.

Starts `tandem serve --workers W` on a fresh copy of the demo store (SQLite file or a new
PostgreSQL database) on 127.0.0.1, opens `--streams` shopper event streams and holds them,
then runs `--shoppers` concurrent shoppers, each sending `--turns` messages one after the
other (a discovery, a sizing, an order-status and a smalltalk script, in turn), and prints
turns/s, p50/p95/p99 latency per turn, errors and the server's CPU time per turn (all its
processes, from /proc: unlike latency, not inflated by other load).  At the end every
held stream must still be open and must deliver the reply to one more message (its delivery
time is printed too).

With `--matrix` it runs one and four workers on SQLite and on PostgreSQL.  With
`--baseline-root DIR` (a plain export of an earlier commit, e.g.
`git archive bd4b114 | tar -x -C /tmp/before`) every row runs first against that code, then
against this checkout, in the same run and under the same machine load, and prints the
throughput ratio after/before.

    python bench/load.py [--shoppers 32] [--turns 8] [--workers 1] [--database sqlite]
                         [--streams 0] [--provider scripted] [--matrix] [--timeout 300]

`--provider embedded` serves the local model instead (slow: use few shoppers) and reports
the time to the first streamed token as well.  Bounded by design: every request has a
timeout, each phase (opening the streams, the shoppers, the streams' delivery check) stops
after `--timeout` seconds with a message saying what was pending and the server log's last
lines, and a progress line goes to stderr every 10 s.  Load figures depend on what
else the machine runs: the report prints the load average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from agent.commerce.demo_store import build_demo_store
from agent.commerce.semantic import index_products
from api.db import engine_for, session_scope
from bench import RESULTS_DIR, write_json
from bench.load_streams import BenchTimeout, HeldStreams, bounded, report_progress
from bench.report import percentile

SCRIPTS = [
    ["waterproof hiking jacket under $200, size M", "something in blue?"],
    ["what size should I get in the rain jacket? I'm usually a M", "thanks!"],
    ["where is my order #R10001?", "my email is nobody@example.com"],
    ["hi", "what is your return policy?"],
]
PG_ADMIN = os.environ.get("TANDEM_BENCH_POSTGRES_URL",
                          "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    first_tokens: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def fresh_database(kind: str, folder: Path) -> tuple[str, str | None]:
    """(SQLAlchemy URL, PostgreSQL database to drop afterwards) with the demo store in it."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'load.db'}"
        dropped = None
    else:
        import psycopg

        dropped = f"tandem_load_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dropped}"')
        url = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0]
        url = f"{url}/{dropped}"
    with session_scope(engine_for(url)) as session:
        build_demo_store(session, seed=7)
        index_products(session)  # as `tandem demo-data` does: search vectors stored
    engine_for(url).dispose()
    return url, dropped


def drop_database(name: str | None) -> None:
    if name:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _turn(client: httpx.AsyncClient, chat: dict[str, str], text: str, run: Run,
                stream: bool) -> None:
    headers = {"Authorization": f"Bearer {chat['token']}"}
    body = {"text": text, "client_message_id": uuid.uuid4().hex}
    path = f"/v1/conversations/{chat['id']}/messages"
    started = time.perf_counter()
    try:
        if not stream:
            response = await client.post(path, headers=headers, json=body)
            if response.status_code != 200:
                run.error(str(response.status_code))
                return
        else:
            async with client.stream("POST", path, json=body,
                                     headers=headers | {"Accept": "text/event-stream"}) as resp:
                first = None
                last = ""
                async for line in resp.aiter_lines():
                    if line.startswith("event: "):
                        last = line.removeprefix("event: ")
                        if last == "token" and first is None:
                            first = time.perf_counter() - started
                if last != "done":
                    run.error(f"stream ended with {last or 'nothing'}")
                    return
                run.first_tokens.append(first if first is not None
                                        else time.perf_counter() - started)
    except httpx.HTTPError as exc:
        run.error(exc.__class__.__name__)
        return
    run.latencies.append(time.perf_counter() - started)


async def _shopper(client: httpx.AsyncClient, index: int, turns: int, run: Run,
                   stream: bool, think_s: float = 0.0) -> None:
    """One shopper's conversation; with `think_s`, pauses drawn from an exponential
    distribution of that mean (seeded by `index`) before each message, the first included,
    so shoppers arrive over time rather than all in the same millisecond."""
    pauses = random.Random(index)
    try:
        chat = (await client.post("/v1/conversations")).json()
    except httpx.HTTPError as exc:
        run.error(exc.__class__.__name__)
        return
    script = SCRIPTS[index % len(SCRIPTS)]
    for n in range(turns):
        if think_s:
            await asyncio.sleep(pauses.expovariate(1 / think_s))
        await _turn(client, chat, script[n % len(script)], run, stream)


def process_tree_cpu_s(pid: int) -> float | None:
    """CPU seconds used so far by a process and its descendants (uvicorn's workers), from
    /proc; None where there is no /proc.  Divided by the turns it is the server's own cost
    of a turn, which the machine's other load does not inflate as it does latency."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    try:
        while todo:
            current = todo.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return None
    return total


def _load_average() -> float:
    return round(os.getloadavg()[0], 2)


async def drive(url: str, *, shoppers: int, turns: int, streams: int, stream_turns: bool,
                timeout_s: float = 300, progress_s: float = 10,
                server_pid: int | None = None) -> dict[str, Any]:
    """Hold the streams, run the shoppers, check the streams deliver; every phase bounded
    by `timeout_s` (BenchTimeout says which phase and what was pending)."""
    run = Run()
    held = HeldStreams(streams)
    phase = "starting"

    def state() -> str:
        shown = f"{phase}: turns {len(run.latencies)}/{shoppers * turns}, " \
                f"errors {sum(run.errors.values())}"
        if streams:
            shown += (f"; streams {held.opened}/{streams} open, {held.failed} failed, "
                      f"{held.dropped} dropped, {len(held.delivered)} delivered")
        return shown

    limits = httpx.Limits(max_connections=shoppers + streams + 10,
                          max_keepalive_connections=shoppers + streams + 10)
    reporter = asyncio.create_task(report_progress(state, progress_s))
    try:
        async with httpx.AsyncClient(base_url=url, limits=limits,
                                     timeout=httpx.Timeout(120)) as client:
            phase = "opening event streams"
            await bounded(phase, held.open(client), timeout_s, state)
            load_before = _load_average()
            phase = "shoppers chatting"
            started = time.perf_counter()
            cpu_before = process_tree_cpu_s(server_pid) if server_pid else None
            await bounded(phase, asyncio.gather(*[_shopper(client, i, turns, run, stream_turns)
                                                  for i in range(shoppers)]), timeout_s, state)
            wall = time.perf_counter() - started
            cpu_after = process_tree_cpu_s(server_pid) if server_pid else None
            load_after = _load_average()
            phase = "checking the held streams deliver"
            await held.check_delivery(timeout_s)
    finally:
        reporter.cancel()
    lat = run.latencies
    result = {"shoppers": shoppers, "turns": len(lat), "seconds": round(wall, 2),
              "turns_per_s": round(len(lat) / wall, 1) if wall else 0.0,
              "p50_ms": round(percentile(lat, 0.5) * 1000, 1),
              "p95_ms": round(percentile(lat, 0.95) * 1000, 1),
              "p99_ms": round(percentile(lat, 0.99) * 1000, 1),
              "errors": sum(run.errors.values()), "error_kinds": run.errors,
              "server_cpu_ms_per_turn": round((cpu_after - cpu_before) * 1000 / len(lat), 1)
              if cpu_before is not None and cpu_after is not None and lat else None,
              "load_before": load_before, "load_after": load_after,
              **(held.report() if streams else {})}
    if run.first_tokens:
        result["ttft_p50_ms"] = round(percentile(run.first_tokens, 0.5) * 1000, 1)
        result["ttft_p95_ms"] = round(percentile(run.first_tokens, 0.95) * 1000, 1)
    return result


def serve_and_drive(database: str, workers: int, args: argparse.Namespace,
                    root: Path | None = None) -> dict[str, Any]:
    from bench.servers import ROOT, start_server, stop_server

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, dropped = fresh_database(database, folder)
        env = {"TANDEM_LLM_PROVIDER": args.provider, "TANDEM_WORKERS": str(workers)}
        server = start_server(url, folder, workers=workers, env=env, timeout_s=300,
                              root=root or ROOT)
        try:
            result = asyncio.run(drive(server.url, shoppers=args.shoppers, turns=args.turns,
                                       streams=args.streams,
                                       stream_turns=args.provider != "scripted",
                                       timeout_s=args.timeout,
                                       server_pid=server.process.pid))
        except BenchTimeout as exc:
            tail = server.log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"bench: {exc}\nlast lines of the server log ({server.log}):\n"
                             f"{tail}") from None
        finally:
            stop_server(server)
            drop_database(dropped)
    return {"database": database, "workers": workers, "provider": args.provider,
            "code": "baseline" if root else "this checkout", **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=32)
    parser.add_argument("--turns", type=int, default=8, help="messages per shopper")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--streams", type=int, default=0, help="event streams held open")
    parser.add_argument("--provider", choices=["scripted", "embedded"], default="scripted")
    parser.add_argument("--matrix", action="store_true",
                        help="1 and 4 workers on SQLite and PostgreSQL")
    parser.add_argument("--baseline-root", type=Path, default=None,
                        help="an export of earlier code: each row runs against it first")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds each phase (opening streams, the shoppers, the streams' "
                             "delivery check) may take before the bench stops and says why")
    parser.add_argument("--out", default="load.json", help="file name under bench/results/")
    args = parser.parse_args()
    plan = ([("sqlite", 1), ("sqlite", 4), ("postgres", 1), ("postgres", 4)] if args.matrix
            else [(args.database, args.workers)])
    rows: list[dict[str, Any]] = []
    for database, workers in plan:
        before = (serve_and_drive(database, workers, args, args.baseline_root)
                  if args.baseline_root else None)
        row = serve_and_drive(database, workers, args)
        if before is not None:
            row["ratio_to_baseline"] = round(row["turns_per_s"] / (before["turns_per_s"] or 1), 2)
            rows.append(before)
        rows.append(row)
    print(f"{'code':<14}{'database':<10}{'workers':>8}{'turns':>7}{'turns/s':>9}{'x base':>7}"
          f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}{'cpu ms':>7}{'load':>11}")
    for row in rows:
        ratio = row.get("ratio_to_baseline", "")
        print(f"{row['code']:<14}{row['database']:<10}{row['workers']:>8}{row['turns']:>7}"
              f"{row['turns_per_s']:>9}{ratio:>7}{row['p50_ms']:>8}"
              f"{row['p95_ms']:>8}{row['p99_ms']:>8}{row['errors']:>7}"
              f"{row.get('server_cpu_ms_per_turn') or '':>7}"
              f"{row['load_before']:>5}->{row['load_after']:<5}")
        if "ttft_p95_ms" in row:
            print(f"  time to first token p50 {row['ttft_p50_ms']} ms, p95 {row['ttft_p95_ms']} ms")
        if row.get("streams_opened") is not None:
            print(f"  event streams: {row['streams_opened']} opened, "
                  f"{row['streams_dropped']} dropped, {row['streams_delivered']} "
                  f"delivered a reply afterwards (p50 {row['delivery_p50_ms']} ms, "
                  f"p95 {row['delivery_p95_ms']} ms)")
            if row["stream_failures"]:
                print(f"  stream failures: {row['stream_failures']}")
        if row["errors"]:
            print(f"  errors: {row['error_kinds']}")
    write_json(RESULTS_DIR / args.out, rows)


if __name__ == "__main__":
    main()
