"""Markup typed into any input renders as text, never runs: in the widget (shopper messages,
agent replies, the agent's display name, product names on cards) and in the console
(transcript, summary, notes, flags, the agents list).  Chromium executes whatever the
page would: a script or an `onerror` handler that ran would set `window.__xss`."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from api.db import engine_for, session_scope
from api.services.handoffs import create_agent
from domain.tables import Location, Product, StockLevel, Variant
from tests.browser.harness import LiveServer
from tests.browser.test_widget_chat import conversation, open_widget, send, wait_for_replies

pytestmark = pytest.mark.browser
PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
NAME = '<img src=x onerror="window.__xss=3">Mal'
AGENT = {"username": "mallory", "password": "mallory-password"}


def _plant(server: LiveServer) -> None:
    """A product whose name is markup (as a careless import could bring) and an admin agent
    whose display name is markup."""
    engine = engine_for(server.database_url)
    with session_scope(engine) as session:
        if session.get(Product, "XSS-TENT") is None:
            location = session.exec(select(Location)).first()
            assert location is not None
            session.add(Product(id="XSS-TENT", name=f"{PAYLOAD} Xsstent", category="tents",
                                tags="xsstent", description="a tent named with markup"))
            session.flush()
            session.add(Variant(id="XSS-TENT-1", product_id="XSS-TENT", price_cents=9900))
            session.flush()
            session.add(StockLevel(variant_id="XSS-TENT-1", location_id=location.id,
                                   quantity=5))
            create_agent(session=session, display_name=NAME, is_admin=True, **AGENT)
    engine.dispose()


def _warm_up(api: httpx.Client) -> None:
    """One turn through the API first: the server's first search loads the embedding engine,
    which on a busy machine takes longer than the widget test waits for a reply."""
    chat = api.post("/v1/conversations").json()
    api.post(f"/v1/conversations/{chat['id']}/messages", timeout=120,
             headers={"Authorization": f"Bearer {chat['token']}"}, json={"text": "xsstent"})


def _handoff(api: httpx.Client, chat: dict[str, str]) -> dict[str, Any]:
    """The conversation's handoff, once the turn that asked for a person is stored."""
    for _ in range(60):
        read = api.get(f"/v1/conversations/{chat['id']}",
                       headers={"Authorization": f"Bearer {chat['token']}"}).json()
        if read["handoff"]:
            handoff: dict[str, Any] = read["handoff"]
            return handoff
        time.sleep(0.5)
    raise AssertionError(f"no handoff: {read}")


def _not_run(page: Any) -> None:
    assert page.evaluate("() => window.__xss") is None, "injected markup ran"


def test_markup_renders_as_text_in_the_widget_and_the_console(
        page: Any, api: httpx.Client, server: LiveServer, browser_context: Any) -> None:
    _plant(server)
    _warm_up(api)
    open_widget(page)
    send(page, f"{PAYLOAD} xsstent")
    wait_for_replies(page, 1)
    shopper = page.locator("[data-testid=message][data-role=shopper]").last
    expect(shopper).to_contain_text("<script>window.__xss=1</script>")
    expect(page.get_by_test_id("suggestion-card").first).to_contain_text("<img src=x")
    send(page, "I want to talk to a person")
    wait_for_replies(page, 2)

    chat = conversation(page)
    handoff = _handoff(api, chat)
    token = api.post("/v1/agent/login", json=AGENT).json()["token"]
    agent = {"Authorization": f"Bearer {token}"}
    assert api.post(f"/v1/agent/handoffs/{handoff['id']}/claim", headers=agent).is_success
    assert api.post(f"/v1/agent/handoffs/{handoff['id']}/messages", headers=agent,
                    json={"text": f"Agent says {PAYLOAD}"}).is_success
    expect(page.locator("[data-testid=message][data-role=agent]").last).to_contain_text(
        "Agent says <script>", timeout=30_000)
    expect(page.get_by_test_id("panel")).to_contain_text('onerror="window.__xss=3">Mal')
    _not_run(page)

    console = browser_context.new_page()
    console.goto(f"{server.url}/console/login")
    console.get_by_label("Username").fill(AGENT["username"])
    console.get_by_label("Password").fill(AGENT["password"])
    console.get_by_role("button", name="Sign in").click()
    expect(console).to_have_url(re.compile(r"/console$"))
    _not_run(console)
    console.goto(f"{server.url}/console/handoffs/{handoff['id']}")
    expect(console.locator("#transcript")).to_contain_text("<script>window.__xss=1</script>")
    expect(console.locator("aside")).to_contain_text("<script>window.__xss=1</script>")
    expect(console.locator("#transcript")).to_contain_text("Agent says <script>")
    console.locator("#note-text").fill(f"note {PAYLOAD}")
    console.get_by_role("button", name="Add note").click()
    expect(console.locator(".note").last).to_contain_text("note <script>")
    _not_run(console)
    form = console.locator("details.flag-form").first
    form.locator("summary").click()
    form.get_by_label("Reason").fill(f"flag {PAYLOAD}")
    form.get_by_role("button", name="Flag").click()
    expect(console.locator(".flag").first).to_contain_text("flag <script>")
    console.goto(f"{server.url}/console/flags")
    expect(console.locator("table.flags")).to_contain_text("flag <script>")
    _not_run(console)
    console.goto(f"{server.url}/console/agents")
    expect(console.locator("table")).to_contain_text('onerror="window.__xss=3">Mal')
    _not_run(console)
