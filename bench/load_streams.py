"""The load bench's held event streams, and its progress line.

`HeldStreams` opens `count` shopper event streams (each on a conversation of its own), holds
them while the shoppers run, then has every stream's conversation send one message and
waits for the reply on the stream.  Nothing in it waits without a bound: a stream that
cannot be opened, a conversation the server refuses, a message it does not answer is counted
as a failure by kind, so the bench reports it instead of hanging (two runs of
`--streams 500` once printed nothing for 7 minutes: a 500 while creating conversations
killed the holder and the bench waited for a `ready` that never came).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.report import percentile

BATCH = 50
"""Conversations created at once: quicker than one by one, gentler than all."""


class BenchTimeout(Exception):
    """A phase of the bench did not finish within `--timeout`."""


@dataclass
class HeldStreams:
    count: int
    opened: int = 0
    delivered: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    """What went wrong, by kind, for streams that never opened and for open ones."""
    failed: int = 0
    """Streams that never opened."""
    dropped: int = 0
    """Streams that opened, then ended or failed before delivering the reply."""
    _all_tried: asyncio.Event = field(default_factory=asyncio.Event)
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def _count(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1

    def _fail(self, what: str) -> None:
        self.failed += 1
        self._count(what)
        self._settled()

    def _drop(self, what: str) -> None:
        self.dropped += 1
        self._count(what)

    def _settled(self) -> None:
        if self.opened + self.failed >= self.count:
            self._all_tried.set()

    async def open(self, client: httpx.AsyncClient) -> None:
        """Create the conversations and open their streams; returns once every stream is
        open or has failed (the caller bounds the wait)."""
        if self.count == 0:
            return
        made = 0
        while made < self.count:
            size = min(BATCH, self.count - made)
            batch = await asyncio.gather(*[_new_chat(client) for _ in range(size)])
            made += size
            for chat in batch:
                if isinstance(chat, str):
                    self._fail(f"create conversation: {chat}")
                else:
                    self._tasks.append(asyncio.create_task(self._hold(client, chat)))
        await self._all_tried.wait()

    async def check_delivery(self, timeout_s: float) -> None:
        """Each open stream's conversation sends a message; wait for the replies."""
        self._release.set()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=timeout_s)
            for task in pending:
                task.cancel()
            for _ in pending:
                self._drop("no reply on the stream in time")

    async def _hold(self, client: httpx.AsyncClient, chat: dict[str, str]) -> None:
        headers = {"Authorization": f"Bearer {chat['token']}"}
        held = False
        try:
            async with client.stream("GET", f"/v1/conversations/{chat['id']}/events",
                                     headers=headers,
                                     timeout=httpx.Timeout(30, read=None)) as resp:
                if resp.status_code != 200:
                    self._fail(f"open stream: {resp.status_code}")
                    return
                held = True
                self.opened += 1
                self._settled()
                lines = resp.aiter_lines()
                await self._release.wait()
                sent = time.perf_counter()
                reply = await client.post(
                    f"/v1/conversations/{chat['id']}/messages", headers=headers,
                    json={"text": "hi", "client_message_id": uuid.uuid4().hex})
                if reply.status_code != 200:
                    self._drop(f"message: {reply.status_code}")
                    return
                async for line in lines:
                    if line == "event: message":
                        self.delivered.append(time.perf_counter() - sent)
                        return
                self._drop("the server ended the stream")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001  (any failure is counted, never a hang)
            if held:
                self._drop(f"held stream: {exc.__class__.__name__}: {exc}"[:120])
            else:
                self._fail(f"open stream: {exc.__class__.__name__}")


    def report(self) -> dict[str, Any]:
        times = self.delivered
        return {"streams_opened": self.opened, "streams_dropped": self.dropped,
                "streams_delivered": len(times), "stream_failures": self.failures,
                "delivery_p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
                "delivery_p95_ms": round(percentile(times, 0.95) * 1000, 1) if times else None}


async def _new_chat(client: httpx.AsyncClient) -> dict[str, str] | str:
    """The new conversation, or what went wrong (a status code or an exception's name)."""
    try:
        response = await client.post("/v1/conversations")
    except httpx.HTTPError as exc:
        return exc.__class__.__name__
    if response.status_code != 201:
        return str(response.status_code)
    chat: dict[str, str] = response.json()
    return chat


async def bounded(phase: str, awaitable: Any, timeout_s: float,
                  state: Callable[[], str]) -> None:
    """Await `awaitable` for at most `timeout_s`; BenchTimeout saying what was pending."""
    try:
        await asyncio.wait_for(awaitable, timeout=timeout_s)
    except TimeoutError:
        raise BenchTimeout(f"{phase} did not finish in {timeout_s:.0f} s ({state()})") from None


async def report_progress(state: Callable[[], str], every_s: float) -> None:
    """Print `state()` to stderr every `every_s` seconds until cancelled."""
    started = time.perf_counter()
    while True:
        await asyncio.sleep(every_s)
        print(f"[{time.perf_counter() - started:5.0f} s] {state()}", file=sys.stderr,
              flush=True)
