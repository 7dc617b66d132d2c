"""Real `tandem serve` processes on loopback ports, for push and multi-worker tests.

An in-process ASGI client buffers a response whole, so an endless event stream needs a
real server; two servers against one PostgreSQL are two real processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready in {timeout_s} s: {log.read_text()[-2000:]}")


def start_server(database_url: str, log_dir: Path, *, workers: int = 1,
                 env: dict[str, str] | None = None, timeout_s: float = 90) -> Server:
    port = free_port()
    log = log_dir / f"server-{port}.log"
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TANDEM_DATABASE_URL": database_url,
                   "TANDEM_LLM_PROVIDER": "scripted", "TANDEM_ENVIRONMENT": "test",
                   "TANDEM_RATE_LIMIT_IP_PER_MINUTE": "0",
                   "TANDEM_RATE_LIMIT_CONVERSATION_PER_MINUTE": "0", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "tandem", "serve", "--port", str(port), "--workers",
         str(workers)], cwd=ROOT, env=environment, stdout=log.open("wb"),
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log, timeout_s)
    except RuntimeError:
        process.kill()
        raise
    return Server(url=url, process=process, log=log)


def stop_server(server: Server, timeout_s: float = 30) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def running(database_url: str, log_dir: Path, count: int = 1,
            env: dict[str, str] | None = None) -> Iterator[list[Server]]:
    servers: list[Server] = []
    try:
        for _ in range(count):
            servers.append(start_server(database_url, log_dir, env=env))
        yield servers
    finally:
        for server in servers:
            stop_server(server)


class EventReader:
    """Reads a server-sent event stream: `next_event(kind)` waits for the next of a kind."""

    def __init__(self, lines: AsyncIterator[str]) -> None:
        self._lines = lines
        self.events: list[tuple[int | None, str, dict[str, Any]]] = []

    async def next_event(self, kind: str | None = None, timeout_s: float = 15
                         ) -> tuple[int | None, str, dict[str, Any]]:
        import asyncio

        async def read() -> tuple[int | None, str, dict[str, Any]]:
            event_id: int | None = None
            name = ""
            async for line in self._lines:
                if line.startswith("id: "):
                    event_id = int(line.removeprefix("id: "))
                elif line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    item = (event_id, name, json.loads(line.removeprefix("data: ")))
                    self.events.append(item)
                    if kind is None or name == kind:
                        return item
                    event_id, name = None, ""
            raise EOFError("the stream ended")

        return await asyncio.wait_for(read(), timeout=timeout_s)


@asynccontextmanager
async def event_stream(client: httpx.AsyncClient, path: str, headers: dict[str, str]
                       ) -> AsyncIterator[EventReader]:
    async with client.stream("GET", path, headers=headers,
                             timeout=httpx.Timeout(5, read=60)) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield EventReader(response.aiter_lines())
