"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import RuntimeDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Health and readiness",
            description="`starting` while the model loads and warms up (replies then come "
                        "from templates), `degraded` when the database or model failed. 503 "
                        "unless `ok`. `generations` counts model generations running, waiting "
                        "and turned away (the shopper then got the \"one moment\" reply), in "
                        "total and `by_priority`: shopper replies go first, background work "
                        "(AI handoff summaries) waits for a free slot and is `preempted` "
                        "(stopped, then run again) when a shopper needs its slot; "
                        "`replies` counts model replies kept and those replaced by the "
                        "template because they stated what the facts did not.")
def healthz(runtime: RuntimeDep) -> JSONResponse:
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "error"
    model = runtime.models.state
    status = ("degraded" if database == "error" or model == "failed"
              else "starting" if model == "loading" else "ok")
    gate = runtime.models.gate
    body = Health(status=status, database=database, model=model,  # type: ignore[arg-type]
                  provider=runtime.settings.llm_provider,
                  generations=gate.metrics.snapshot() if gate else None,
                  replies=runtime.reply_checks.snapshot())
    return JSONResponse(body.model_dump(), status_code=200 if status == "ok" else 503)
