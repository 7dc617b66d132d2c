"""The FastAPI app factory."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from types import FrameType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from langchain_core.language_models import BaseChatModel
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from agent.commerce.inventory import InventoryService
from agent.privacy.redact import install_log_redaction
from api.experiments.service import check_running_experiments
from api.guards import ShopperGuard
from api.jobs import job_queue_for
from api.observability import prom
from api.observability.middleware import ObserveTurns
from api.observability.observer import TurnObserver
from api.observability.tracing import tracer_of, tracer_provider
from api.openapi import build_openapi
from api.ratelimit import limiter_for
from api.routes import (
    console,
    console_experiments,
    console_review,
    contact,
    conversations,
    events,
    experiments,
    experiments_admin,
    handoffs,
    health,
    privacy,
    storefront,
)
from api.runtime import TandemRuntime, open_runtime
from api.services.demo_agents import retire_demo_agents
from api.services.turns import sweep_stranded
from api.settings import Settings, get_settings

log = logging.getLogger(__name__)


async def _sweep_forever(runtime: TandemRuntime) -> None:
    """Answer turns left pending by a crash or a shutdown: at start-up, then every
    `stranded_sweep_s` (a database error in another worker leaves some too)."""
    while True:
        try:
            answered = await sweep_stranded(runtime)
            if answered:
                log.info("answered %d stranded message(s)", answered)
        except SQLAlchemyError as exc:
            log.warning("stranded-turn sweep failed (%s); next try in %.0f s",
                        exc.__class__.__name__, runtime.settings.stranded_sweep_s)
        await asyncio.sleep(runtime.settings.stranded_sweep_s)


def _end_streams_on_exit_signal(runtime: TandemRuntime) -> None:
    """Under `tandem serve`: on SIGTERM/SIGINT end the event streams at once, before uvicorn
    waits for open connections to close (a stream never closes by itself), and stop taking
    turns; running turns finish (the lifespan's shutdown drains them)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue

        def chained(signum: int, frame: FrameType | None,
                    previous: Callable[[int, FrameType | None], Any] = previous) -> None:
            runtime.accepting = False
            loop.call_soon_threadsafe(runtime.bus.begin_stop)
            previous(signum, frame)

        signal.signal(sig, chained)


def create_app(settings: Settings | None = None, *, model: BaseChatModel | None = None,
               inventory: InventoryService | None = None) -> FastAPI:
    """Build the app.  `model` and `inventory` replace the configured ones (tests, benches)."""
    settings = settings or get_settings()
    install_log_redaction()  # no email, phone, card or address reaches a log line
    traces = tracer_provider(settings)  # None (no spans) unless TANDEM_OTLP_ENDPOINT is set

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings, model=model, inventory=inventory) as runtime:
            await asyncio.to_thread(retire_demo_agents, engine=runtime.engine, settings=settings)
            check_running_experiments(runtime.engine)  # a broken variant stops start-up
            app.state.runtime = runtime
            app.state.observer = TurnObserver(engine=runtime.engine, tracer=tracer_of(traces))
            if getattr(app.state, "served", False):
                _end_streams_on_exit_signal(runtime)
            jobs = job_queue_for(runtime)
            await jobs.start()
            runtime.jobs = jobs
            # Not in `runtime.background`, which holds work that finishes (tests wait for it).
            sweeper = asyncio.create_task(_sweep_forever(runtime))
            try:
                yield
            finally:
                sweeper.cancel()
                with suppress(asyncio.CancelledError):
                    await sweeper
                await jobs.stop()
        if traces is not None:
            traces.shutdown()  # sends the spans still buffered
        await limiter.aclose()

    # Production serves no /docs or /openapi.json (`app.openapi()` still builds the schema
    # for tests and tools).
    docs = settings.serves_docs
    app = FastAPI(
        title="Tandem", version="0.1.0", lifespan=lifespan,
        docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        description="Customer-journey agent for online retailers: the assistant takes the "
                    "routine turns, people take the moments that need a person.",
    )
    # Added first, so it runs inside CORS: its 429s carry CORS headers the widget can read.
    limiter = limiter_for(settings)
    app.add_middleware(ShopperGuard, settings=settings, limiter=limiter)
    app.add_middleware(ObserveTurns)  # metrics, traces and turn records from the graph's runs
    app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins,
                       allow_methods=["GET", "POST", "PUT", "DELETE"],
                       allow_headers=["Authorization", "Content-Type", "Accept", "X-Tandem-Key",
                                      "Last-Event-ID",
                                      "X-Customer-Token"],
                       expose_headers=["Retry-After"])

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database is restarting or unreachable: say so at once (503, retry shortly)
        # rather than a 500; the pool's pre-ping reconnects when it is back.
        log.warning("database unavailable for %s %s: %s", request.method, request.url.path,
                    exc.__class__.__name__)
        return JSONResponse(status_code=503, headers={"Retry-After": "2"},
                            content={"detail": "the database is unavailable; try again in a "
                                               "moment"})

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # One readable sentence first, the details after: the widget shows `detail`.
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        detail = f"{where}: {first['msg']}" if where else str(first["msg"])
        return JSONResponse(status_code=422, content={"detail": detail, "errors": [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errors]})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; list them all.
            allowed = sorted({m for route in app.routes if isinstance(route, Route)
                              and route.methods and route.matches(request.scope)[0] != Match.NONE
                              for m in route.methods})
            return JSONResponse(status_code=405, content={"detail": "Method Not Allowed"},
                                headers={"Allow": ", ".join(allowed)})
        return await http_exception_handler(request, exc)

    for module in (conversations, events, contact, handoffs, health, storefront, console,
                   console_review, privacy, experiments, experiments_admin, console_experiments):
        app.include_router(module.router)
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    app.include_router(prom.router)
    return app
