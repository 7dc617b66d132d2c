"""Item 1: no default secret outside an explicit development mode; production serves no API
docs, sends Secure cookies and holds no demo agent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from api.app import create_app
from api.db import engine_for, session_scope
from api.models import SupportAgent
from api.services.demo_agents import DEMO_USERNAME, ensure_demo_agent
from api.services.handoffs import create_agent
from api.settings import Settings
from tests.conftest import api_client, make_settings
from tests.console.console_helpers import console_client, sign_in

STRONG = {"secret_key": "s" * 40, "customer_token_secret": "c" * 40}


@pytest.fixture
def no_tandem_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server started with nothing configured."""
    for name in list(os.environ):
        if name.startswith("TANDEM_"):
            monkeypatch.delenv(name)


def test_a_server_started_without_configuration_refuses_the_default_secrets(
        no_tandem_env: None) -> None:
    with pytest.raises(ValidationError, match="TANDEM_SECRET_KEY and TANDEM_CUSTOMER_TOKEN"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert Settings(_env_file=None, **STRONG).environment == "production"  # type: ignore[call-arg]


@pytest.mark.parametrize("environment", ["test", "production"])
def test_every_mode_but_development_refuses_default_short_or_shared_secrets(
        no_tandem_env: None, environment: str) -> None:
    for weak in ({}, {"secret_key": "s" * 40}, {"customer_token_secret": "c" * 40},
                 {"secret_key": "short", "customer_token_secret": "c" * 40}):
        with pytest.raises(ValidationError, match="32\\+ characters"):
            Settings(_env_file=None, environment=environment, **weak)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="must differ"):
        Settings(_env_file=None, environment=environment,  # type: ignore[call-arg]
                 secret_key="x" * 40, customer_token_secret="x" * 40)
    Settings(_env_file=None, environment=environment, **STRONG)  # type: ignore[call-arg]


def test_only_an_explicit_development_mode_keeps_the_defaults(no_tandem_env: None) -> None:
    settings = Settings(_env_file=None, environment="development")  # type: ignore[call-arg]
    assert settings.is_development and not settings.secure_cookies


async def test_production_serves_no_api_docs_but_the_schema_still_builds(
        database_url: str) -> None:
    production = make_settings(environment="production", database_url=database_url)
    async with api_client(production) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404, path
        schema = client.app.openapi()  # type: ignore[attr-defined]
        assert "/v1/conversations" in schema["paths"]
    async with api_client(make_settings(environment="test", database_url=database_url)
                          ) as client:
        assert (await client.get("/openapi.json")).status_code == 200


async def test_production_console_cookies_are_secure(database_url: str) -> None:
    async with console_client(make_settings(environment="production",
                                            database_url=database_url)) as client:
        response = await sign_in(client, "alex", "alex-password")
        assert response.status_code == 303
        cookie = next(c for c in response.headers.get_list("set-cookie")
                      if c.startswith("tandem_console="))
        assert "secure" in cookie.lower()


async def test_a_demo_agent_from_a_development_database_cannot_sign_in_elsewhere(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    development = Settings(_env_file=None, environment="development",  # type: ignore[call-arg]
                           database_url=url, llm_provider="scripted")
    with session_scope(engine_for(url)) as session:
        assert ensure_demo_agent(session=session, settings=development)
    # The laptop demo signs in with the published password ...
    app = create_app(development)
    async with app.router.lifespan_context(app):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://tandem.test")
        ok = await client.post("/v1/agent/login",
                               json={"username": DEMO_USERNAME, "password": "tandem-demo"})
        assert ok.status_code == 200
        await client.aclose()
    # ... the same database served in any other mode refuses it.
    async with api_client(make_settings(database_url=url)) as client:
        refused = await client.post("/v1/agent/login",
                                    json={"username": DEMO_USERNAME, "password": "tandem-demo"})
        assert refused.status_code == 401
        old_token = ok.json()["token"]
        assert (await client.get("/v1/agent/handoffs", headers={
            "Authorization": f"Bearer {old_token}"})).status_code == 401
    with Session(engine_for(url)) as session:
        demo = session.exec(select(SupportAgent).where(
            SupportAgent.username == DEMO_USERNAME)).one()
        assert demo.is_demo and demo.disabled_at is not None


def test_the_cli_names_the_unsafe_setting_instead_of_a_traceback(tmp_path: Path) -> None:
    # In an empty folder (no .env) with no TANDEM_* variable: a fresh production install.
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "tandem", "demo-data"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, check=False,
                          env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root)})
    assert done.returncode == 2
    assert "TANDEM_SECRET_KEY" in done.stderr and "TANDEM_ENVIRONMENT=development" \
        in done.stderr
    assert "Traceback" not in done.stderr


async def test_a_demo_agent_from_before_the_flag_is_found_by_its_published_password(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    with session_scope(engine_for(url)) as session:
        # As an older `tandem demo-data` made it: no is_demo flag.
        create_agent(session=session, username=DEMO_USERNAME, password="tandem-demo",
                     display_name="Sam", is_admin=True)
    async with api_client(make_settings(database_url=url)) as client:
        refused = await client.post("/v1/agent/login",
                                    json={"username": DEMO_USERNAME, "password": "tandem-demo"})
        assert refused.status_code == 401
