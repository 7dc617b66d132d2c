"""Signing in to the console: hashed passwords, session cookies, CSRF, admin-only pages."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from api.models import SupportAgent
from api.settings import Settings
from tests.console.console_helpers import console_client, csrf_of, sign_in, signed_in_csrf


async def test_pages_redirect_to_sign_in_until_signed_in(settings: Settings) -> None:
    async with console_client(settings) as client:
        for path in ("/console", "/console/flags", "/console/flags/export", "/console/agents",
                     "/console/handoffs/any-id", "/console/queue/rows"):
            response = await client.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/console/login?next=/console")
        posted = await client.post("/console/handoffs/any-id/claim", data={"csrf_token": "x"})
        assert posted.status_code == 303


async def test_sign_in_sets_a_secure_cookie_and_sign_out_ends_the_session(
        settings: Settings) -> None:
    async with console_client(settings) as client:
        response = await sign_in(client, "alex", "alex-password")
        assert response.status_code == 303 and response.headers["location"] == "/console"
        cookie = next(c for c in response.headers.get_list("set-cookie")
                      if c.startswith("tandem_console="))
        for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/console"):
            assert attribute.lower() in cookie.lower(), attribute
        assert "alex-password" not in cookie

        queue = await client.get("/console")
        assert queue.status_code == 200 and "Signed in as <strong>Alex</strong>" in queue.text
        out = await client.post("/console/logout", data={"csrf_token": csrf_of(queue.text)})
        assert out.status_code == 303 and out.headers["location"] == "/console/login"
        assert (await client.get("/console")).status_code == 303


async def test_a_wrong_password_is_refused_without_a_session(settings: Settings) -> None:
    async with console_client(settings) as client:
        response = await sign_in(client, "alex", "not-the-password")
        assert response.status_code == 401
        assert "Wrong username or password" in response.text
        assert "tandem_console=" not in response.headers.get("set-cookie", "")
        assert (await client.get("/console")).status_code == 303
        nobody = await sign_in(client, "nobody-here", "whatever")
        assert nobody.status_code == 401


async def test_forms_without_the_csrf_token_are_refused(settings: Settings) -> None:
    async with console_client(settings) as client:
        page = await client.get("/console/login")
        forged_login = await client.post("/console/login", data={
            "username": "alex", "password": "alex-password", "csrf_token": "0" * 64})
        assert forged_login.status_code == 403 and page.status_code == 200

        await signed_in_csrf(client, "alex", "alex-password")
        for path in ("/console/logout", "/console/handoffs/x/claim", "/console/agents",
                     "/console/messages/1/flag", "/console/handoffs/x/notes"):
            missing = await client.post(path, data={"text": "hi"})
            assert missing.status_code == 403, path
            wrong = await client.post(path, data={"text": "hi", "csrf_token": "f" * 64})
            assert wrong.status_code == 403, path
        assert (await client.get("/console")).status_code == 200, "still signed in"


async def test_a_token_from_another_session_is_refused(settings: Settings) -> None:
    async with console_client(settings) as alex, console_client(settings) as blair:
        alex_token = await signed_in_csrf(alex, "alex", "alex-password")
        await signed_in_csrf(blair, "blair", "blair-password")
        stolen = await blair.post("/console/logout", data={"csrf_token": alex_token})
        assert stolen.status_code == 403


async def test_an_admin_adds_an_agent_who_can_then_sign_in(settings: Settings) -> None:
    admin_name, new_name = f"admin-{uuid.uuid4().hex[:8]}", f"casey-{uuid.uuid4().hex[:8]}"
    async with console_client(settings) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        from api.db import session_scope
        from api.services.handoffs import create_agent

        with session_scope(runtime.engine) as session:
            create_agent(session=session, username=admin_name, password="admin-password-1",
                         display_name="Admin", is_admin=True)
        csrf = await signed_in_csrf(client, admin_name, "admin-password-1")
        assert "/console/agents" in (await client.get("/console")).text
        weak = await client.post("/console/agents", data={
            "csrf_token": csrf, "username": new_name, "display_name": "Casey",
            "password": "short"})
        assert weak.status_code == 400 and "10 to 256 characters" in weak.text
        added = await client.post("/console/agents", data={
            "csrf_token": csrf, "username": new_name, "display_name": "Casey",
            "password": "casey-password"})
        assert added.status_code == 303
        listing = await client.get("/console/agents")
        assert new_name in listing.text and "Casey" in listing.text
        again = await client.post("/console/agents", data={
            "csrf_token": csrf, "username": new_name, "display_name": "Casey 2",
            "password": "casey-password"})
        assert again.status_code == 400 and "taken" in again.text

        with Session(runtime.engine) as session:
            stored = session.exec(select(SupportAgent)
                                  .where(SupportAgent.username == new_name)).one()
        assert stored.password_hash.startswith("scrypt$")
        assert "casey-password" not in stored.password_hash and not stored.is_admin

    async with console_client(settings) as casey:
        await signed_in_csrf(casey, new_name, "casey-password")
        assert (await casey.get("/console")).status_code == 200


async def test_agents_who_are_not_admins_cannot_manage_agents(settings: Settings) -> None:
    async with console_client(settings) as client:
        csrf = await signed_in_csrf(client, "alex", "alex-password")
        assert (await client.get("/console/agents")).status_code == 403
        posted = await client.post("/console/agents", data={
            "csrf_token": csrf, "username": "mallory", "display_name": "Mallory",
            "password": "mallory-password", "is_admin": "true"})
        assert posted.status_code == 403
        assert "/console/agents" not in (await client.get("/console")).text
