"""Out of hours: the widget offers to take the shopper's email, and the team sees it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from api.db import engine_for, session_scope
from api.services.console import queue
from tests.browser.harness import AGENT, AXE_JS, LiveServer, live_server
from tests.browser.test_widget_chat import conversation, open_widget, send, wait_for_replies
from tests.browser.test_widget_look import _serious_violations
from tests.conftest import make_settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def closed_server(browser_available: None, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[LiveServer]:
    """A server whose support team never opens (no business days) and has nobody online."""
    workdir = tmp_path_factory.mktemp("closed-server")
    with live_server(workdir, TANDEM_BUSINESS_DAYS="[]") as running:
        yield running


@pytest.fixture
def closed_page(browser_context: Any, closed_server: LiveServer) -> Any:
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.goto(closed_server.url)
    page.wait_for_function("() => window.Tandem !== undefined")
    return page


def _emails_in_console_queue(server: LiveServer) -> dict[str, str | None]:
    """conversation id -> contact email, as the console's queue shows them to agents."""
    engine = engine_for(server.database_url)
    try:
        with session_scope(engine) as session:
            rows = queue(session=session,
                         settings=make_settings(database_url=server.database_url))
            return {row.handoff.conversation_id: row.contact_email for row in rows}
    finally:
        engine.dispose()


def test_out_of_hours_the_shopper_leaves_an_email_the_team_sees(
        closed_page: Any, closed_server: LiveServer) -> None:
    page = closed_page
    form = page.get_by_test_id("contact-form")
    open_widget(page)
    expect(form).to_be_hidden()  # nothing to offer before a person is asked for
    send(page, "I want to speak to a real person")
    wait_for_replies(page, 1)
    expect(page.get_by_test_id("handoff-notice")).to_be_visible()
    expect(form).to_be_visible()
    expect(form).to_contain_text("Leave your email and we\u2019ll write back")
    email = page.get_by_label("Your email", exact=True)  # the field is labelled

    # Keyboard only: the field, then Enter submits; the server's verdict is shown.
    email.focus()
    page.keyboard.press("Enter")
    error = page.get_by_test_id("contact-error")
    expect(error).to_have_text("Please enter your email address.")
    page.keyboard.type("not-an-email")
    page.keyboard.press("Enter")
    expect(error).to_have_text(
        "email: this does not look like an email address (name@example.com)")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()

    email.fill("")
    page.keyboard.type("  Sam.Shopper@Example.com")
    page.keyboard.press("Enter")
    done = page.get_by_test_id("contact-done")
    expect(done).to_have_text("Thanks! We\u2019ll write to you at sam.shopper@example.com. Change")
    expect(done).to_be_focused()  # announced, and the shopper knows where they are
    expect(form).to_be_hidden()

    chat = conversation(page)
    assert _emails_in_console_queue(closed_server)[chat["id"]] == "sam.shopper@example.com"

    # A typo can be corrected: the new address replaces the old one.
    page.keyboard.press("Tab")  # to "Change"
    page.keyboard.press("Enter")
    expect(email).to_be_focused()
    expect(email).to_have_value("sam.shopper@example.com")
    email.fill("sam@example.org")
    page.keyboard.press("Enter")
    expect(done).to_contain_text("sam@example.org")
    assert _emails_in_console_queue(closed_server)[chat["id"]] == "sam@example.org"

    page.reload()  # the server remembers: the confirmation, not the form, comes back
    page.wait_for_function("() => window.Tandem !== undefined")
    expect(done).to_contain_text("sam@example.org")
    expect(form).to_be_hidden()


def test_the_email_form_has_no_serious_accessibility_violations(closed_page: Any) -> None:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make test does)")
    page = closed_page
    page.add_script_tag(path=str(AXE_JS))
    open_widget(page)
    send(page, "let me talk to a human")
    wait_for_replies(page, 1)
    page.get_by_test_id("contact-send").click()  # with its error showing, too
    expect(page.get_by_test_id("contact-error")).to_be_visible()
    assert _serious_violations(page, {"include": [["#tandem-widget"]]}) == []


def test_the_form_goes_away_when_an_agent_takes_the_handoff(
        closed_page: Any, closed_server: LiveServer) -> None:
    page = closed_page
    open_widget(page)
    send(page, "I want to speak to a real person")
    wait_for_replies(page, 1)
    form = page.get_by_test_id("contact-form")
    expect(form).to_be_visible()
    with httpx.Client(base_url=closed_server.url, timeout=10) as api:
        token = api.post("/v1/agent/login", json={"username": AGENT["username"],
                                                  "password": AGENT["password"]}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        chat = conversation(page)
        handoff = next(h for h in api.get("/v1/agent/handoffs", headers=headers).json()
                       if h["conversation_id"] == chat["id"])
        claimed = api.post(f"/v1/agent/handoffs/{handoff['id']}/claim", headers=headers)
        assert claimed.status_code == 200, claimed.text
    expect(page.get_by_test_id("handoff-notice")).to_contain_text("chatting with Sam",
                                                                  timeout=10_000)
    expect(form).to_be_hidden()
