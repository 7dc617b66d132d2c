"""Token-bucket rate limits, in process or shared between API workers through Redis.

A bucket holds up to `capacity` tokens and refills at `capacity` per minute; each request
takes one.  An empty bucket answers how many seconds until the next token, which becomes
the `Retry-After` of a 429.  `limiter_for(settings)` picks the backend: Redis when
`TANDEM_REDIS_URL` is set (several `tandem serve --workers N` processes then share one
budget), a dictionary in this process otherwise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from api.settings import Settings

log = logging.getLogger(__name__)

# Atomic in Redis: refill by elapsed time (server clock, so workers agree), take a token
# or say how long to wait.  Idle buckets expire once they would be full again anyway.
_REDIS_BUCKET = """
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or cap
local ts = tonumber(b[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(cap / rate) + 1)
return tostring(wait)
"""


@dataclass(frozen=True)
class Limit:
    """`per_minute` requests per minute, in bursts of up to the same number."""

    name: str
    per_minute: int

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0


class RateLimiter(Protocol):
    async def take(self, limit: Limit, key: str) -> float:
        """Take one token for `key`: 0 if allowed, else the seconds until one is free."""

    async def aclose(self) -> None: ...


class MemoryLimiter:
    """Buckets in this process's memory: exact for one worker, per worker for several."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    async def take(self, limit: Limit, key: str) -> float:
        now = self._clock()
        tokens, last = self._buckets.get((limit.name, key), (float(limit.per_minute), now))
        tokens = min(float(limit.per_minute), tokens + (now - last) * limit.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / limit.rate
        self._buckets[(limit.name, key)] = (tokens, now)
        if len(self._buckets) > 100_000:  # a flood of one-off keys must not grow memory forever
            self._forget_full(now)
        return wait

    def _forget_full(self, now: float) -> None:
        for bucket_key, (_, last) in list(self._buckets.items()):
            if now - last > 60:
                del self._buckets[bucket_key]

    async def aclose(self) -> None:
        self._buckets.clear()


class RedisLimiter:
    """Buckets in Redis, shared by every worker pointed at the same server.

    If Redis cannot be reached the request is judged by an in-process bucket instead
    (logged): a limiter outage must not lock every shopper out of the chat.
    """

    def __init__(self, url: str, *, prefix: str = "tandem:rl:") -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_REDIS_BUCKET)
        self._prefix = prefix
        self._fallback = MemoryLimiter()

    async def take(self, limit: Limit, key: str) -> float:
        from redis.exceptions import RedisError

        try:
            wait = await self._script(keys=[f"{self._prefix}{limit.name}:{key}"],
                                      args=[limit.per_minute, limit.rate])
        except (RedisError, OSError) as exc:
            log.warning("rate limiter: Redis unavailable (%s); using this worker's buckets",
                        exc.__class__.__name__)
            return await self._fallback.take(limit, key)
        return float(wait)

    async def aclose(self) -> None:
        await self._redis.aclose()


def limiter_for(settings: Settings) -> RateLimiter:
    """Redis-backed when `settings.redis_url` is set, in process otherwise."""
    if settings.redis_url:
        return RedisLimiter(settings.redis_url)
    return MemoryLimiter()
