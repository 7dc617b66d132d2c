"""Factories for experiment tests: start an experiment, expose visitors, send events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from api.db import session_scope
from api.experiments import service
from api.experiments.definition import parse_definition
from api.models import Experiment
from api.settings import Settings

STOREFRONT_KEY = "storefront-test-key-0123456789abcdef"


def with_storefront_key(settings: Settings) -> Settings:
    return settings.model_copy(update={"storefront_key": SecretStr(STOREFRONT_KEY)})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@contextmanager
def running_experiment(engine: Engine, started_at: datetime | None = None,
                       **fields: Any) -> Iterator[Experiment]:
    """A running experiment for the test, stopped afterwards (the database is shared by the
    session's tests; a running experiment would assign their visitors too)."""
    raw = {"name": unique("exp"), "variants": {"control": 0.5, "assistant": 0.5},
           "primary": "conversion", "guardrails": ["return_rate", "csat"]} | fields
    with session_scope(engine) as session:
        experiment = service.start(session, parse_definition(raw))
        if started_at is not None:
            experiment.started_at = started_at
            session.add(experiment)
    try:
        yield experiment
    finally:
        with session_scope(engine) as session:
            row = session.get(Experiment, experiment.id)
            if row is not None and row.status == "running":
                service.stop(session, row.name)


async def send_events(client: httpx.AsyncClient, events: list[dict[str, Any]] | dict[str, Any],
                      key: str = STOREFRONT_KEY) -> httpx.Response:
    return await client.post("/v1/events", json=events,
                             headers={"Authorization": f"Bearer {key}"})
