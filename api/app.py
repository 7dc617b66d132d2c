"""The FastAPI app factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from langchain_core.language_models import BaseChatModel

from agent.commerce.inventory import InventoryService
from agent.privacy.redact import install_log_redaction
from api.experiments.service import check_running_experiments
from api.guards import ShopperGuard
from api.observability import prom
from api.observability.middleware import ObserveTurns
from api.observability.observer import TurnObserver
from api.observability.tracing import tracer_of, tracer_provider
from api.ratelimit import limiter_for
from api.routes import (
    console,
    console_experiments,
    console_review,
    contact,
    conversations,
    experiments,
    experiments_admin,
    handoffs,
    health,
    privacy,
    storefront,
)
from api.runtime import open_runtime
from api.settings import Settings, get_settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, model: BaseChatModel | None = None,
               inventory: InventoryService | None = None) -> FastAPI:
    """Build the app.  `model` and `inventory` replace the configured ones (tests, benches)."""
    settings = settings or get_settings()
    install_log_redaction()  # no email, phone, card or address reaches a log line
    traces = tracer_provider(settings)  # None (no spans) unless TANDEM_OTLP_ENDPOINT is set

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings, model=model, inventory=inventory) as runtime:
            check_running_experiments(runtime.engine)  # a broken variant stops start-up
            app.state.runtime = runtime
            app.state.observer = TurnObserver(engine=runtime.engine, tracer=tracer_of(traces))
            yield
        if traces is not None:
            traces.shutdown()  # sends the spans still buffered
        await limiter.aclose()

    app = FastAPI(
        title="Tandem", version="0.1.0", lifespan=lifespan,
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
                                      "X-Customer-Token"],
                       expose_headers=["Retry-After"])

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # One readable sentence first, the details after: the widget shows `detail`.
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        detail = f"{where}: {first['msg']}" if where else str(first["msg"])
        return JSONResponse(status_code=422, content={"detail": detail, "errors": [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errors]})

    for module in (conversations, contact, handoffs, health, storefront, console, console_review,
                   privacy, experiments, experiments_admin, console_experiments):
        app.include_router(module.router)
    app.include_router(prom.router)
    return app
