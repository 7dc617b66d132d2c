"""Shared fixtures.  Database tests run on SQLite and on PostgreSQL.

PostgreSQL comes from TANDEM_TEST_POSTGRES_URL (default: the local server with trust auth).
Without a server the PostgreSQL cases are skipped with the reason, unless
TANDEM_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from agent.commerce.demo_store import build_demo_store
from agent.commerce.inventory import InventoryService
from agent.commerce.semantic import index_products
from api.app import create_app
from api.db import engine_for, session_scope
from api.services.handoffs import create_agent
from api.settings import Settings, ephemeral_secrets

PG_ADMIN_URL = os.environ.get("TANDEM_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TEST_SECRETS = {name: SecretStr(f"tandem-tests-{name}-{'x' * 32}")
                for name in ephemeral_secrets()}
"""Fixed, strong and distinct: the test environment refuses the default secrets as
production does (only an explicit `development` may keep them).  Fixed, not random, because
pytest loads this file both as `conftest` and as `tests.conftest`."""


@pytest.fixture(autouse=True)
def _secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands read their settings from the environment (`get_settings()`), as a deployment
    does: give them the test secrets, so they start outside development too."""
    for name, value in TEST_SECRETS.items():
        monkeypatch.setenv(f"TANDEM_{name.upper()}", value.get_secret_value())
    # A test that loads the embedded model must not start compiling llama.cpp for this CPU
    # in the background (the server does, outside CI, when no native build is cached).
    monkeypatch.setenv("TANDEM_RUNTIME_AUTOBUILD", "0")


def make_settings(**values: Any) -> Settings:
    """Settings as the tests run: no `.env`, the test environment, the scripted model,
    short model timeouts and random secrets; `values` override any of them."""
    defaults: dict[str, Any] = {"environment": "test", "llm_provider": "scripted",
                                "llm_timeout_s": 2.0, **TEST_SECRETS}
    return Settings(_env_file=None, **(defaults | values))  # type: ignore[call-arg]


def _postgres_database() -> Iterator[str]:
    import psycopg

    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"tandem_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL not reachable at {admin}: {exc.__class__.__name__}"
        if os.environ.get("TANDEM_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    engine_for.cache_clear()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database per backend, with the demo store in it (built once per session)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tandem.db'}"
        _fill(url)
        yield url
        return
    for url in _postgres_database():
        _fill(url)
        yield url


def _fill(url: str) -> None:
    with session_scope(engine_for(url)) as session:
        build_demo_store(session, seed=7)
        # As `tandem demo-data` does: servers started by tests find the search vectors stored.
        index_products(session)
        create_agent(session=session, username="alex", password="alex-password",
                     display_name="Alex")
        create_agent(session=session, username="blair", password="blair-password",
                     display_name="Blair")


@pytest.fixture
def engine(database_url: str) -> Engine:
    return engine_for(database_url)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url=database_url)


@asynccontextmanager
async def api_client(settings: Settings, *, model: BaseChatModel | None = None,
                     inventory: InventoryService | None = None,
                     client_address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to the app in process, with its lifespan running;
    `client_address` is the IP address the app sees."""
    from agent.llm.scripted import ScriptedChatModel

    app = create_app(settings, model=model or ScriptedChatModel(), inventory=inventory)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_address, 123))
        async with httpx.AsyncClient(transport=transport, base_url="http://tandem.test") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client
        for task in list(app.state.runtime.background):
            await task
        await app.state.runtime.jobs.wait_idle(30)  # e.g. the AI summary of a handoff


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(settings) as c:
        yield c


@pytest.fixture(scope="session")
def tau_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """SQLite holding tau-bench's retail catalogue (products, variants, stock; no customers
    or orders): a store nobody here wrote.  Skips without ../shared/data (fails in CI)."""
    from api.importers.tau_bench import load_tau_store
    from api.importers.writer import write_store
    from tests.shared_data import shared_data

    store = load_tau_store(shared_data("tau-retail", "products.json").parent)
    store.customers, store.orders = [], []
    url = f"sqlite:///{tmp_path_factory.mktemp('tau-catalog') / 'tau.db'}"
    write_store(engine_for(url), store)
    yield engine_for(url)
    engine_for(url).dispose()
