"""A real Tandem server and Debian's Chromium, for the browser tests and `bench/widget.py`.

The server is the real app under uvicorn in a subprocess, on 127.0.0.1 with a port the
kernel picks (the listening socket is handed to uvicorn with `--fd`, so there is no race
for the port), a fresh SQLite demo store and the `scripted` model: replies come from the
templates, so every run answers the same.  The browser is /usr/bin/chromium driven by
Playwright for Python; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
# Without the networking flags Chromium keeps dialling Google's hosts, which this closed
# network refuses; --no-sandbox because CI runs as root.
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AGENT = {"username": "sam", "password": "sam-password", "display_name": "Sam"}


@dataclass
class LiveServer:
    url: str
    database_url: str
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def build_store(database_url: str) -> None:
    """The demo store plus one support agent, Sam, in a fresh database."""
    from agent.commerce.demo_store import build_demo_store
    from api.db import engine_for, session_scope
    from api.services.handoffs import create_agent

    engine = engine_for(database_url)
    with session_scope(engine) as session:
        build_demo_store(session, seed=7)
        create_agent(session=session, **AGENT)
    engine.dispose()


@contextmanager
def live_server(workdir: Path, **env: str) -> Iterator[LiveServer]:
    """Serve the app from a subprocess until the block ends; `env` adds TANDEM_* settings."""
    database_url = f"sqlite:///{workdir / 'tandem.db'}"
    build_store(database_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    log_path = workdir / "server.log"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    child_env.update({"TANDEM_DATABASE_URL": database_url, "TANDEM_LLM_PROVIDER": "scripted",
                      "TANDEM_ENVIRONMENT": "test", "PYTHONUNBUFFERED": "1", **env})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.asgi:app", "--fd", str(sock.fileno()),
             "--log-level", "warning", "--no-access-log"],
            cwd=workdir, env=child_env, stdout=log, stderr=subprocess.STDOUT,
            pass_fds=[sock.fileno()])
    sock.close()  # the child holds its own copy of the listening socket
    server = LiveServer(url=f"http://127.0.0.1:{port}", database_url=database_url,
                        log_path=log_path)
    try:
        _wait_healthy(server, process)
        _warm_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(server: LiveServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited at start-up:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not become healthy in 60 s:\n{server.log_tail()}")


def _warm_up(server: LiveServer) -> None:
    """One product question before the browser comes: the first search loads the embedding
    model, which on two busy shared cores took 31 s (0.7 s for the next question), longer
    than a test waits for a reply."""
    with httpx.Client(base_url=server.url, timeout=120) as client:
        chat = client.post("/v1/conversations").json()
        response = client.post(f"/v1/conversations/{chat['id']}/messages",
                               headers={"Authorization": f"Bearer {chat['token']}"},
                               json={"text": "rain jacket", "client_message_id": uuid.uuid4().hex})
        response.raise_for_status()


def browser_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return (f"Chromium not found at {CHROMIUM}: `make test` installs Debian's `chromium` "
                "when it runs as root or with sudo")
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[dev]'"
    return None


def launch_options() -> dict[str, Any]:
    return {"executable_path": str(CHROMIUM), "headless": True, "args": LAUNCH_ARGS}


def new_context(playwright: Any, profile_dir: Path, **options: Any) -> Any:
    """Chromium with a fresh, empty profile: nothing survives from one test to the next."""
    if profile_dir.exists():
        shutil.rmtree(profile_dir)
    return playwright.chromium.launch_persistent_context(
        str(profile_dir), **launch_options(), **options)
