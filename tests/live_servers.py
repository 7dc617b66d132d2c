"""Event streams read by tests (the servers come from bench/servers.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from bench.servers import Server, running, start_server, stop_server

__all__ = ["EventReader", "Server", "event_stream", "running", "start_server", "stop_server"]


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
