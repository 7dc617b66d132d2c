"""The load bench's held streams report a server's refusals instead of waiting forever.

Two runs of `bench/load.py --streams 500` printed nothing for 7 minutes: the server
answered some new conversations with 500, the stream holder died on the error body, and
the bench waited for every stream to open.
"""

from __future__ import annotations

import asyncio
import itertools

import httpx

from bench.load_streams import HeldStreams


def _server(statuses: itertools.cycle[int]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/conversations":
            status = next(statuses)
            if status != 201:
                return httpx.Response(status, text="Internal Server Error")
            return httpx.Response(201, json={"id": "c1", "token": "t"})
        return httpx.Response(503, json={"detail": "busy"})  # the stream itself refused
    return httpx.MockTransport(handle)


async def test_refused_conversations_and_streams_are_counted_not_waited_for() -> None:
    held = HeldStreams(6)
    transport = _server(itertools.cycle([201, 500, 503]))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await asyncio.wait_for(held.open(client), timeout=5)
        await asyncio.wait_for(held.check_delivery(5), timeout=10)
    assert held.opened == 0
    assert held.failures == {"create conversation: 500": 2, "create conversation: 503": 2,
                             "open stream: 503": 2}
    assert held.report()["streams_delivered"] == 0
