"""Item 5: agent sessions that end (sign-out, password change, disable, idle), lock-out per
account and per client address, and sign-in failures that cost the same for any username."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select, update

from api.db import engine_for, session_scope
from api.models import AgentSession, SupportAgent
from api.services.handoffs import create_agent
from api.settings import Settings
from domain.tables import utcnow
from tests.conftest import make_settings
from tests.console.console_helpers import console_client, csrf_of, sign_in, signed_in_csrf


@pytest.fixture
def own_db(tmp_path: Path) -> Iterator[Settings]:
    """A database of its own: lock-outs here must not lock other tests' shared agents."""
    url = f"sqlite:///{tmp_path / 'agents.db'}"
    with session_scope(engine_for(url)) as session:
        create_agent(session=session, username="robin", password="robin-password",
                     display_name="Robin", is_admin=True)
        create_agent(session=session, username="kim", password="kim-password-1",
                     display_name="Kim")
    yield make_settings(database_url=url)
    engine_for(url).dispose()


async def _api_token(client: httpx.AsyncClient, username: str, password: str) -> str:
    response = await client.post("/v1/agent/login",
                                 json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_signing_out_ends_the_bearer_token_and_the_cookie(own_db: Settings) -> None:
    async with console_client(own_db) as client:
        token = await _api_token(client, "kim", "kim-password-1")
        assert (await client.get("/v1/agent/handoffs", headers=_bearer(token))).status_code \
            == 200
        out = await client.post("/v1/agent/logout", headers=_bearer(token))
        assert out.status_code == 204
        assert (await client.get("/v1/agent/handoffs", headers=_bearer(token))).status_code \
            == 401

        csrf = await signed_in_csrf(client, "kim", "kim-password-1")
        copied = client.cookies.get("tandem_console")
        assert copied
        await client.post("/console/logout", data={"csrf_token": csrf})
    async with console_client(own_db) as thief:
        thief.cookies.set("tandem_console", copied, domain="tandem.test", path="/console")
        assert (await thief.get("/console")).status_code == 303, "a copied cookie opens nothing"


async def test_changing_the_password_ends_every_other_session(own_db: Settings) -> None:
    async with console_client(own_db) as here, console_client(own_db) as elsewhere:
        token = await _api_token(here, "kim", "kim-password-1")
        await signed_in_csrf(elsewhere, "kim", "kim-password-1")
        csrf = await signed_in_csrf(here, "kim", "kim-password-1")

        wrong = await here.post("/console/password", data={
            "csrf_token": csrf, "current": "nope", "new": "kim-password-2",
            "confirm": "kim-password-2"})
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        changed = await here.post("/console/password", data={
            "csrf_token": csrf, "current": "kim-password-1", "new": "kim-password-2",
            "confirm": "kim-password-2"})
        assert changed.status_code == 200 and "was changed" in changed.text

        assert (await here.get("/console")).status_code == 200, "this session stays"
        assert (await elsewhere.get("/console")).status_code == 303
        assert (await here.get("/v1/agent/handoffs", headers=_bearer(token))).status_code \
            == 401
        assert (await sign_in(elsewhere, "kim", "kim-password-1")).status_code == 401
        assert (await sign_in(elsewhere, "kim", "kim-password-2")).status_code == 303


async def test_an_idle_session_ends(own_db: Settings) -> None:
    async with console_client(own_db) as client:
        token = await _api_token(client, "kim", "kim-password-1")
        await signed_in_csrf(client, "kim", "kim-password-1")
        with session_scope(engine_for(own_db.database_url)) as session:
            session.execute(update(AgentSession).values(
                last_seen_at=utcnow() - timedelta(minutes=own_db.agent_idle_minutes + 1)))
        assert (await client.get("/console")).status_code == 303
        assert (await client.get("/v1/agent/handoffs", headers=_bearer(token))).status_code \
            == 401


async def test_an_admin_disables_an_agent_everywhere_at_once(own_db: Settings) -> None:
    async with console_client(own_db) as admin, console_client(own_db) as kim:
        token = await _api_token(kim, "kim", "kim-password-1")
        await signed_in_csrf(kim, "kim", "kim-password-1")
        csrf = await signed_in_csrf(admin, "robin", "robin-password")
        with Session(engine_for(own_db.database_url)) as session:
            kim_id = session.exec(select(SupportAgent.id).where(
                SupportAgent.username == "kim")).one()
            robin_id = session.exec(select(SupportAgent.id).where(
                SupportAgent.username == "robin")).one()
        self_disable = await admin.post(f"/console/agents/{robin_id}/disable",
                                        data={"csrf_token": csrf})
        assert self_disable.status_code == 400

        assert (await admin.post(f"/console/agents/{kim_id}/disable",
                                 data={"csrf_token": csrf})).status_code == 303
        assert (await kim.get("/console")).status_code == 303
        assert (await kim.get("/v1/agent/handoffs", headers=_bearer(token))).status_code == 401
        assert (await sign_in(kim, "kim", "kim-password-1")).status_code == 401

        assert (await admin.post(f"/console/agents/{kim_id}/enable",
                                 data={"csrf_token": csrf})).status_code == 303
        assert (await sign_in(kim, "kim", "kim-password-1")).status_code == 303


async def test_repeated_failures_lock_the_account_out_even_for_the_right_password(
        own_db: Settings) -> None:
    async with console_client(own_db) as client:
        for _ in range(6):
            assert (await client.post("/v1/agent/login", json={
                "username": "kim", "password": "guess"})).status_code == 401
        locked = await client.post("/v1/agent/login",
                                   json={"username": "kim", "password": "kim-password-1"})
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        page = await sign_in(client, "kim", "kim-password-1")
        assert page.status_code == 429 and "Too many failed sign-ins" in page.text
        # Another account from the same address is not locked by kim's failures.
        assert (await client.post("/v1/agent/login", json={
            "username": "robin", "password": "robin-password"})).status_code == 200


async def test_many_usernames_from_one_address_lock_that_address_out(own_db: Settings) -> None:
    async with console_client(own_db) as client:
        for n in range(21):
            await client.post("/v1/agent/login",
                              json={"username": f"user{n}", "password": "guess"})
        locked = await client.post("/v1/agent/login",
                                   json={"username": "robin", "password": "robin-password"})
        assert locked.status_code == 429


async def test_an_unknown_username_costs_the_same_scrypt_as_a_wrong_password(
        own_db: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    async with console_client(own_db) as client:
        monkeypatch.setattr(hashlib, "scrypt", counting)
        await client.post("/v1/agent/login", json={"username": "kim", "password": "guess"})
        wrong_password = len(calls)
        calls.clear()
        unknown = await client.post("/v1/agent/login", json={
            "username": f"nobody-{uuid.uuid4().hex[:6]}", "password": "guess"})
        assert unknown.status_code == 401
        assert unknown.json()["detail"] == "Wrong username or password."
        assert len(calls) == wrong_password == 1


async def test_old_cookie_format_and_forged_tokens_open_nothing(own_db: Settings) -> None:
    async with console_client(own_db) as client:
        for token in ("", "x", "a.b.c", "InsyJhIjogMX0i.forged"):
            client.cookies.set("tandem_console", token, domain="tandem.test", path="/console")
            assert (await client.get("/console")).status_code == 303
            assert (await client.get("/v1/agent/handoffs", headers={
                "Authorization": f"Bearer {token or 'x'}"})).status_code == 401
        # A CSRF token with characters compare_digest cannot take is a 403, not a 500.
        page = await client.get("/console/login")
        odd = await client.post("/console/login", data={
            "username": "kim", "password": "kim-password-1", "csrf_token": "é" * 64})
        assert page.status_code == 200 and odd.status_code == 403
        with Session(engine_for(own_db.database_url)) as session:
            assert not session.exec(select(AgentSession).where(
                col(AgentSession.ended_at).is_(None))).all()
        assert csrf_of(page.text)
