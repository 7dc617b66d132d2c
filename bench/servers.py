"""Real `tandem serve` processes on loopback ports, for the load bench and the push and
multi-worker tests (an in-process ASGI client buffers a response whole, so an endless event
stream needs a real server; two servers against one PostgreSQL are two processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
                 env: dict[str, str] | None = None, timeout_s: float = 90,
                 root: Path = ROOT) -> Server:
    """`root`: the checkout whose code serves (the load bench's baseline runs another)."""
    port = free_port()
    log = log_dir / f"server-{port}.log"
    environment = {**os.environ, "PYTHONPATH": str(root), "TANDEM_DATABASE_URL": database_url,
                   "TANDEM_LLM_PROVIDER": "scripted", "TANDEM_ENVIRONMENT": "test",
                   "TANDEM_RATE_LIMIT_IP_PER_MINUTE": "0",
                   "TANDEM_RATE_LIMIT_CONVERSATION_PER_MINUTE": "0", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "tandem", "serve", "--port", str(port), "--workers",
         str(workers)], cwd=root, env=environment, stdout=log.open("wb"),
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
