"""The API's front door for browsers: allowed origins and rate limits on `/v1/`.

A plain ASGI middleware (not `BaseHTTPMiddleware`, which would buffer the SSE stream).
It sits inside the CORS middleware, so a 429 carries CORS headers and the widget can show
its detail; a 403 for a foreign origin is deliberately unreadable by that origin's page.

- Origin: a request that carries an `Origin` header (browsers add one to every cross-site
  and every non-GET request) must come from `allowed_origins`, "*", or the API's own
  origin (the demo storefront and the console are served from it).  Requests without
  `Origin` (servers, curl, the agent console's own forms) are not browser cross-site calls.
- Rate limits: every `/v1/` request takes a token from its IP's bucket; each shopper
  message also takes one from its conversation's bucket, keyed by the conversation and a
  hash of the bearer token it presents, so only the token's holder drains it: someone who
  knows a conversation id but not its token cannot silence the shopper.  The client IP is
  the socket peer: behind a proxy, run uvicorn with `--proxy-headers --forwarded-allow-ips=...`.
- Body size: a `/v1/` request body larger than `max_body_bytes` (derived from
  `TANDEM_MAX_MESSAGE_CHARS`; for the retailer's outcome events, the largest valid batch)
  gets 413 before anything parses it, whether it announces its length or streams in chunks.
"""

from __future__ import annotations

import hashlib
import math
import re

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.experiments.events import MAX_BODY_BYTES as EVENTS_MAX_BODY_BYTES
from api.ratelimit import Limit, RateLimiter
from api.settings import Settings

_MESSAGES = re.compile(r"^/v1/conversations/([^/]+)/messages/?$")

# The retailer's outcome events (api/routes/experiments.py), sent by its server.
_SERVER_ONLY = frozenset({"/v1/events"})


class ShopperGuard:
    def __init__(self, app: ASGIApp, *, settings: Settings, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter
        self.origins = {o.rstrip("/") for o in settings.allowed_origins}
        self.per_ip = Limit("ip", settings.rate_limit_ip_per_minute)
        self.per_conversation = Limit("conversation",
                                      settings.rate_limit_conversation_per_minute)
        self.max_body_bytes = max_body_bytes(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        rejection = await self._reject(scope)
        if rejection is None and scope["method"] in ("POST", "PUT", "PATCH"):
            receive, rejection = await self._bounded_body(scope, receive)
        if rejection is not None:
            await rejection(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _bounded_body(self, scope: Scope, receive: Receive
                            ) -> tuple[Receive, JSONResponse | None]:
        """Read the body up to the limit (413 past it), then hand it on unchanged."""
        limit = EVENTS_MAX_BODY_BYTES if scope["path"] in _SERVER_ONLY else self.max_body_bytes
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return receive, _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return receive, None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return receive, _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay, None

    async def _reject(self, scope: Scope) -> JSONResponse | None:
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        # Server-to-server routes check the caller's key first (401), then refuse any
        # browser (403): the site list of the chat API says nothing about them.
        if (origin is not None and scope["path"] not in _SERVER_ONLY
                and not self._origin_allowed(origin, scope, headers)):
            return JSONResponse(status_code=403, content={
                "detail": f"this site ({origin}) is not allowed to use the chat API; "
                          "the retailer can add it to TANDEM_ALLOWED_ORIGINS"})
        if scope["method"] == "OPTIONS":
            return None
        client = scope.get("client")
        if self.per_ip.per_minute and client:
            wait = await self.limiter.take(self.per_ip, client[0])
            if wait:
                return _too_many(wait, "too many requests from your network")
        match = _MESSAGES.match(scope["path"])
        if self.per_conversation.per_minute and match and scope["method"] == "POST":
            holder = hashlib.sha256(headers.get("authorization", "").encode()).hexdigest()[:16]
            wait = await self.limiter.take(self.per_conversation, f"{match.group(1)}:{holder}")
            if wait:
                return _too_many(wait, "you are sending messages faster than we can answer")
        return None

    def _origin_allowed(self, origin: str, scope: Scope, headers: Headers) -> bool:
        origin = origin.rstrip("/")
        if "*" in self.origins or origin in self.origins:
            return True
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        return origin == own


def max_body_bytes(settings: Settings) -> int:
    """The largest request body worth parsing: a message at the length limit, every
    character escaped as JSON may escape it (6 bytes), plus room for the other fields."""
    return settings.max_message_chars * 6 + 4096


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(status_code=413, content={
        "detail": f"the request body is larger than {limit} bytes; shorten the message"})


def _too_many(wait: float, why: str) -> JSONResponse:
    seconds = max(1, math.ceil(wait))
    return JSONResponse(status_code=429, headers={"Retry-After": str(seconds)}, content={
        "detail": f"{why}; please wait {seconds} second{'s' if seconds != 1 else ''} "
                  "and try again"})
