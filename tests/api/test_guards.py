"""Allowed origins and rate limits on the shopper API (api/guards.py, api/ratelimit.py)."""

from __future__ import annotations

import os
import uuid

import pytest

from api.ratelimit import Limit, MemoryLimiter, RedisLimiter
from api.settings import Settings
from tests.conftest import api_client
from tests.helpers import Chat, start_chat

REDIS_URL = os.environ.get("TANDEM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STOREFRONT = "https://shop.example"


def _with(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update=changes)


async def test_a_foreign_site_gets_403_and_an_allowed_one_gets_cors(settings: Settings) -> None:
    async with api_client(_with(settings, allowed_origins=[STOREFRONT])) as client:
        foreign = await client.post("/v1/conversations", headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 403
        assert "https://evil.example" in foreign.json()["detail"]
        assert "TANDEM_ALLOWED_ORIGINS" in foreign.json()["detail"]

        allowed = await client.post("/v1/conversations", headers={"Origin": STOREFRONT})
        assert allowed.status_code == 201
        assert allowed.headers["access-control-allow-origin"] == STOREFRONT

        own = await client.post("/v1/conversations", headers={"Origin": "http://tandem.test"})
        assert own.status_code == 201  # the demo storefront is served by the API itself
        assert (await client.post("/v1/conversations")).status_code == 201  # not a browser


async def test_a_conversation_sending_too_fast_gets_429_with_retry_after(
        settings: Settings) -> None:
    limited = _with(settings, rate_limit_conversation_per_minute=2)
    async with api_client(limited) as client:
        chat = await start_chat(client)
        other = await start_chat(client)

        async def post(to: Chat) -> int:
            response = await client.post(
                f"/v1/conversations/{to.id}/messages", headers=to.headers,
                json={"text": "hi", "client_message_id": uuid.uuid4().hex})
            if response.status_code == 429:
                assert response.headers["retry-after"] == "30"  # 2 a minute: one every 30 s
                assert response.json()["detail"] == (
                    "you are sending messages faster than we can answer; "
                    "please wait 30 seconds and try again")
            return response.status_code

        assert [await post(chat) for _ in range(3)] == [200, 200, 429]
        assert await post(other) == 200  # each conversation has its own budget


async def test_one_ip_making_too_many_requests_gets_429(settings: Settings) -> None:
    async with api_client(_with(settings, rate_limit_ip_per_minute=3)) as client:
        codes = [(await client.post("/v1/conversations")).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        blocked = await client.post("/v1/conversations")
        assert blocked.json()["detail"].startswith("too many requests from your network")
        assert (await client.get("/healthz")).status_code in (200, 503)  # outside /v1/


async def test_a_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = MemoryLimiter(clock=lambda: now[0])
    limit = Limit("test", per_minute=60)
    assert [await limiter.take(limit, "k") for _ in range(60)] == [0.0] * 60
    assert await limiter.take(limit, "k") == pytest.approx(1.0)
    now[0] += 1.0
    assert await limiter.take(limit, "k") == 0.0


async def test_workers_share_limits_through_redis() -> None:
    import redis.asyncio as redis

    probe = redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        await probe.ping()
    except (OSError, redis.RedisError) as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis must be reachable in CI at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}")
    finally:
        await probe.aclose()
    # Two limiters stand for two API worker processes pointed at the same Redis.
    first, second = RedisLimiter(REDIS_URL), RedisLimiter(REDIS_URL)
    limit, key = Limit("test", per_minute=2), uuid.uuid4().hex
    try:
        assert await first.take(limit, key) == 0
        assert await second.take(limit, key) == 0
        assert await first.take(limit, key) > 25  # the shared bucket is empty
    finally:
        await first.aclose()
        await second.aclose()


async def test_an_unreachable_redis_falls_back_to_local_limits() -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        limit = Limit("test", per_minute=1)
        assert await limiter.take(limit, "k") == 0
        assert await limiter.take(limit, "k") > 0
    finally:
        await limiter.aclose()
