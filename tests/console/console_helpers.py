"""Factories for console tests: sign in through the real form, read CSRF tokens from pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from sqlalchemy.engine import Engine

from api.db import session_scope
from api.models import Conversation, Handoff
from api.settings import Settings
from domain.tables import utcnow
from tests.conftest import api_client

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@asynccontextmanager
async def console_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app over https: outside development the console's cookies are Secure, and a
    cookie jar only sends those over https (as a browser would)."""
    async with api_client(settings) as client:
        client.base_url = httpx.URL("https://tandem.test")
        yield client


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await client.get("/console/login")
    assert page.status_code == 200
    return await client.post("/console/login", data={
        "username": username, "password": password, "csrf_token": csrf_of(page.text)})


async def signed_in_csrf(client: httpx.AsyncClient, username: str, password: str) -> str:
    """Sign in and return the CSRF token the console's forms carry."""
    response = await sign_in(client, username, password)
    assert response.status_code == 303, response.text
    queue = await client.get("/console")
    assert queue.status_code == 200
    return csrf_of(queue.text)


def make_handoff(engine: Engine, *, priority: int, waiting_minutes: float,
                 wants: str = "help please", rule: str = "human_request") -> str:
    """A handoff row as the turn service stores it, backdated to have waited a while."""
    with session_scope(engine) as session:
        conversation = Conversation(id=str(uuid.uuid4()), token_hash="0" * 64, mode="human")
        session.add(conversation)
        session.flush()
        handoff = Handoff(id=str(uuid.uuid4()), conversation_id=conversation.id,
                          priority=priority, rule=rule, reasons=[f"{rule}: test"],
                          summary={"wants": wants},
                          created_at=utcnow() - timedelta(minutes=waiting_minutes))
        session.add(handoff)
        return handoff.id


def close_handoffs(engine: Engine, ids: list[str]) -> None:
    """Take test handoffs out of the shared queue again."""
    with session_scope(engine) as session:
        for handoff_id in ids:
            handoff = session.get(Handoff, handoff_id)
            if handoff is not None and handoff.status in ("open", "claimed"):
                handoff.status, handoff.closed_at = "resolved", utcnow()
                session.add(handoff)


def admin_agent(client: httpx.AsyncClient) -> tuple[str, str]:
    """A new admin agent of this test alone: (username, password)."""
    from api.services.handoffs import create_agent

    username, password = f"admin-{uuid.uuid4().hex[:8]}", "admin-password-1"
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with session_scope(runtime.engine) as session:
        create_agent(session=session, username=username, password=password,
                     display_name="Admin", is_admin=True)
    return username, password
