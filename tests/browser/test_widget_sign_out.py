"""Item 8 in the browser: the storefront's `Tandem.signOut()` ends the conversation's token and
clears it from the browser, and the widget forgets a stored token past its end, so the next
person at a shared browser starts afresh."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_widget_chat import conversation, open_widget, send, wait_for_replies

pytestmark = pytest.mark.browser


def test_sign_out_ends_the_token_and_clears_the_browser(page: Any, api: httpx.Client) -> None:
    open_widget(page)
    send(page, "hiking socks")
    wait_for_replies(page, 1)
    chat = conversation(page)
    assert chat["expiresAt"], "the widget keeps the token's end with it"
    page.evaluate("() => window.Tandem.signOut()")
    expect(page.locator("[data-testid=message][data-role=shopper]")).to_have_count(0)
    assert page.evaluate("() => localStorage.getItem('tandem:conversation')") is None
    gone = api.get(f"/v1/conversations/{chat['id']}",
                   headers={"Authorization": f"Bearer {chat['token']}"})
    assert gone.status_code == 404, "the token opens nothing on the server either"


def test_a_stored_token_past_its_end_is_forgotten_on_load(page: Any) -> None:
    open_widget(page)
    send(page, "hiking socks")
    wait_for_replies(page, 1)
    page.evaluate("""() => {
        const c = JSON.parse(localStorage.getItem('tandem:conversation'));
        c.expiresAt = new Date(Date.now() - 1000).toISOString();
        localStorage.setItem('tandem:conversation', JSON.stringify(c)); }""")
    page.reload()
    page.wait_for_function("() => window.Tandem !== undefined")
    assert page.evaluate("() => localStorage.getItem('tandem:conversation')") is None
    expect(page.get_by_test_id("panel")).to_be_visible()  # it was open before the reload
    expect(page.locator("[data-testid=message][data-role=shopper]")).to_have_count(0)
