"""The HTTP inventory adapter against a real inventory server on 127.0.0.1.

A real server (stdlib `ThreadingHTTPServer`, ephemeral port) rather than
`httpx.MockTransport`: a mock can only pretend to time out by raising, while here the
client's own timeout has to fire on a socket that really stays silent, and retries really
open new requests.  Only the breaker's clock and the backoff sleep are injected, so the
half-open cool-down does not make the suite wait.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agent.commerce.inventory import InventoryUnavailable
from agent.commerce.inventory_http import HttpInventory
from api.settings import Settings
from tests.conftest import api_client
from tests.helpers import say, start_chat

LEVEL = {"location_id": "TDC", "location_name": "Test distribution centre",
         "region": "US-West", "kind": "warehouse", "quantity": 7, "ship_days": 2}


class InventoryServer:
    """Answers POST /stock; `script` holds the next answers ("ok", "503", "slow",
    "garbage", "404"), then "ok" for ever.  Every request is recorded."""

    def __init__(self) -> None:
        self.script: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append({"path": self.path, "body": body,
                                            "auth": self.headers.get("Authorization")})
                    action = server.script.pop(0) if server.script else "ok"
                if action == "slow":
                    time.sleep(0.6)  # longer than the client's timeout
                if action in ("503", "404"):
                    self._send(int(action), b'{"detail": "nope"}')
                elif action == "garbage":
                    self._send(200, b'{"stock": "not a mapping"}')
                else:
                    stock = {vid: [LEVEL] for vid in body["variant_ids"] if not vid.endswith("X")}
                    self._send(200, json.dumps({"stock": stock}).encode())

            def _send(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on a slow answer: that is the point

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(self) -> threading.Thread:
        thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        thread.start()
        return thread


@pytest.fixture
def server() -> Iterator[InventoryServer]:
    srv = InventoryServer()
    thread = srv.serve()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    thread.join(timeout=5)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def inventory(server: InventoryServer, clock: FakeClock) -> Iterator[HttpInventory]:
    sleeps: list[float] = []
    adapter = HttpInventory(server.url, timeout_s=0.25, retries=2, backoff_s=0.05,
                            breaker_failures=2, breaker_reset_s=30.0, api_key="k3y",
                            clock=clock, sleep=sleeps.append)
    adapter.sleeps = sleeps  # type: ignore[attr-defined]
    yield adapter
    adapter.close()


def test_stock_follows_the_documented_contract(server: InventoryServer,
                                               inventory: HttpInventory) -> None:
    stock = inventory.stock_for(["A-1", "B-X"])
    assert [s.location_name for s in stock["A-1"]] == ["Test distribution centre"]
    assert stock["A-1"][0].quantity == 7 and stock["A-1"][0].ship_days == 2
    assert stock["B-X"] == [], "a variant the API leaves out is out of stock, never assumed"
    (request,) = server.requests
    assert request["path"] == "/stock" and request["body"] == {"variant_ids": ["A-1", "B-X"]}
    assert request["auth"] == "Bearer k3y"


def test_a_slow_answer_times_out_and_is_retried_until_one_succeeds(
        server: InventoryServer, inventory: HttpInventory) -> None:
    server.script = ["slow", "503"]
    started = time.perf_counter()
    stock = inventory.stock_for(["A-1"])
    assert stock["A-1"][0].quantity == 7
    assert len(server.requests) == 3
    assert time.perf_counter() - started < 2.0, "the timeout must cut the slow answer short"
    assert inventory.sleeps == [0.05, 0.1]  # type: ignore[attr-defined]
    assert inventory.metrics.retries == 2 and inventory.metrics.failures == 0
    assert inventory.breaker.state == "closed"


def test_when_every_attempt_fails_stock_is_unavailable(server: InventoryServer,
                                                       inventory: HttpInventory) -> None:
    server.script = ["slow", "slow", "slow"]
    with pytest.raises(InventoryUnavailable, match="timed out after 3 attempts"):
        inventory.stock_for(["A-1"])
    assert inventory.metrics.failures == 1


@pytest.mark.parametrize("answer", ["404", "garbage"])
def test_answers_a_retry_cannot_fix_are_not_retried(server: InventoryServer,
                                                    inventory: HttpInventory,
                                                    answer: str) -> None:
    server.script = [answer]
    with pytest.raises(InventoryUnavailable):
        inventory.stock_for(["A-1"])
    assert len(server.requests) == 1


def test_the_breaker_opens_then_lets_one_trial_through_after_the_cool_down(
        server: InventoryServer, inventory: HttpInventory, clock: FakeClock) -> None:
    server.script = ["503"] * 6  # two whole calls of three attempts each
    for _ in range(2):
        with pytest.raises(InventoryUnavailable):
            inventory.stock_for(["A-1"])
    assert inventory.breaker.state == "open" and inventory.metrics.breaker_opened == 1
    sent = len(server.requests)
    with pytest.raises(InventoryUnavailable, match="circuit breaker is open"):
        inventory.stock_for(["A-1"])
    assert len(server.requests) == sent, "an open breaker must not touch the network"
    assert inventory.metrics.short_circuited == 1

    clock.now += 31
    assert inventory.breaker.state == "half_open"
    server.script = ["503"] * 3
    with pytest.raises(InventoryUnavailable):
        inventory.stock_for(["A-1"])  # the trial fails: open again, for a new cool-down
    assert inventory.breaker.state == "open"

    clock.now += 31
    assert inventory.stock_for(["A-1"])["A-1"], "a good trial closes the breaker"
    assert inventory.breaker.state == "closed"


async def test_with_the_url_set_the_assistant_uses_the_api_and_says_so_when_it_is_down(
        server: InventoryServer, settings: Settings) -> None:
    configured = settings.model_copy(update={
        "inventory_url": server.url, "inventory_timeout_s": 0.25, "inventory_retries": 1,
        "inventory_backoff_s": 0.01})
    async with api_client(configured) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, "waterproof rain jacket size M")
        suggestions = turn["reply"]["suggestions"]
        assert suggestions and all("Test distribution centre" in s["stock_note"]
                                   for s in suggestions)

        server.script = ["503"] * 10
        down = await say(client, chat, "fleece jacket size M")
        assert down["reply"]["suggestions"] == []
        assert "can't confirm what's in stock" in down["reply"]["text"]
