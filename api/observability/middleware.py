"""Attach the turn observer to every LangChain run an API request starts (the turn's graph,
the AI summary's model call), without touching the code that starts them.

LangChain adds a handler to every run whose context holds it (`register_configure_hook`);
this middleware puts the app's observer in the context of each HTTP request, and tasks the
request spawns (the streamed turn, the summary) inherit it.
"""

from __future__ import annotations

from contextvars import ContextVar

from langchain_core.tracers.context import register_configure_hook
from starlette.types import ASGIApp, Receive, Scope, Send

from api.observability.observer import TurnObserver

_observer: ContextVar[TurnObserver | None] = ContextVar("tandem_turn_observer", default=None)
register_configure_hook(_observer, inheritable=True)


class ObserveTurns:
    """Plain ASGI (no buffering of the SSE stream); the observer comes from the app's state
    once the lifespan has built it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        observer = getattr(getattr(scope.get("app"), "state", None), "observer", None)
        if scope["type"] != "http" or observer is None:
            await self.app(scope, receive, send)
            return
        token = _observer.set(observer)
        try:
            await self.app(scope, receive, send)
        finally:
            _observer.reset(token)
