"""The API's front door for browsers: allowed origins and rate limits on `/v1/`.

A plain ASGI middleware (not `BaseHTTPMiddleware`, which would buffer the SSE stream).
It sits inside the CORS middleware, so a 429 carries CORS headers and the widget can show
its detail; a 403 for a foreign origin is deliberately unreadable by that origin's page.

- Origin: a request that carries an `Origin` header (browsers add one to every cross-site
  and every non-GET request) must come from `allowed_origins`, "*", or the API's own
  origin (the demo storefront and the console are served from it).  Requests without
  `Origin` (servers, curl, the agent console's own forms) are not browser cross-site calls.
- Rate limits: every `/v1/` request takes a token from its IP's bucket; each shopper
  message also takes one from its conversation's bucket.  The client IP is the socket
  peer: behind a proxy, run uvicorn with `--proxy-headers --forwarded-allow-ips=...`.
"""

from __future__ import annotations

import math
import re

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.ratelimit import Limit, RateLimiter
from api.settings import Settings

_MESSAGES = re.compile(r"^/v1/conversations/([^/]+)/messages/?$")


class ShopperGuard:
    def __init__(self, app: ASGIApp, *, settings: Settings, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter
        self.origins = {o.rstrip("/") for o in settings.allowed_origins}
        self.per_ip = Limit("ip", settings.rate_limit_ip_per_minute)
        self.per_conversation = Limit("conversation",
                                      settings.rate_limit_conversation_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        rejection = await self._reject(scope)
        if rejection is not None:
            await rejection(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _reject(self, scope: Scope) -> JSONResponse | None:
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, scope, headers):
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
            wait = await self.limiter.take(self.per_conversation, match.group(1))
            if wait:
                return _too_many(wait, "you are sending messages faster than we can answer")
        return None

    def _origin_allowed(self, origin: str, scope: Scope, headers: Headers) -> bool:
        origin = origin.rstrip("/")
        if "*" in self.origins or origin in self.origins:
            return True
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        return origin == own


def _too_many(wait: float, why: str) -> JSONResponse:
    seconds = max(1, math.ceil(wait))
    return JSONResponse(status_code=429, headers={"Retry-After": str(seconds)}, content={
        "detail": f"{why}; please wait {seconds} second{'s' if seconds != 1 else ''} "
                  "and try again"})
