"""What a shopper does with the widget, in Debian's Chromium against the real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CONVERSATION_LIMIT

pytestmark = pytest.mark.browser
JACKET = "waterproof hiking jacket under $200, size M"


def send(page: Any, text: str) -> None:
    page.get_by_test_id("input").fill(text)
    page.get_by_test_id("send").click()


def open_widget(page: Any) -> None:
    page.get_by_test_id("launcher").click()
    expect(page.get_by_test_id("panel")).to_be_visible()


def replies(page: Any) -> Any:
    return page.locator("[data-testid=message][data-role=assistant]")


def wait_for_replies(page: Any, count: int) -> None:
    """`count` assistant replies (the greeting is not one), the last finished streaming."""
    expect(replies(page)).to_have_count(count)
    expect(page.get_by_test_id("typing")).to_have_count(0)


def conversation(page: Any) -> dict[str, str]:
    stored: dict[str, str] = page.evaluate(
        "() => JSON.parse(localStorage.getItem('tandem:conversation'))")
    return stored


def transcript(api: httpx.Client, chat: dict[str, str]) -> dict[str, Any]:
    response = api.get(f"/v1/conversations/{chat['id']}",
                       headers={"Authorization": f"Bearer {chat['token']}"})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_product_question_shows_in_stock_cards_with_reasons(page: Any) -> None:
    open_widget(page)
    send(page, JACKET)
    wait_for_replies(page, 1)
    expect(replies(page).last).to_contain_text("options in stock")
    cards = page.get_by_test_id("suggestion-card")
    expect(cards).to_have_count(3)  # each suggestion once, even after the transcript sync
    for card in cards.all():
        expect(card.locator(".stock")).not_to_have_class("stock out-of-stock")
        expect(card.locator(".stock")).to_contain_text(" at ")
        expect(card.locator(".because")).to_contain_text("Because you asked for waterproof")
        expect(card.locator(".card-price")).to_contain_text("$")


def test_add_to_cart_fires_a_dom_event_the_storefront_hears(page: Any) -> None:
    page.evaluate("""() => { window.__carts = [];
        window.addEventListener('tandem:add-to-cart', e => window.__carts.push(e.detail)); }""")
    open_widget(page)
    send(page, JACKET)
    first = page.get_by_test_id("suggestion-card").first
    name = first.locator(".card-name").inner_text()
    first.get_by_test_id("add-to-cart").click()
    carts = page.evaluate("() => window.__carts")
    assert len(carts) == 1
    assert carts[0]["name"] == name
    assert carts[0]["variant_id"] and carts[0]["product_id"]
    expect(page.locator("#cart-count")).to_have_text("1")
    expect(page.locator("#toast")).to_contain_text(f"Added to cart: {name}")


def test_asking_for_a_person_gets_a_reply_typed_by_an_agent(
        page: Any, api: httpx.Client, agent_api: httpx.Client) -> None:
    open_widget(page)
    for n, text in enumerate(("hi", "hiking boots size 10", "fleece jacket size M")):
        send(page, text)
        wait_for_replies(page, n + 1)
    human = page.get_by_test_id("human-button")
    expect(human).to_be_visible()  # offered after three turns
    human.click()
    notice = page.get_by_test_id("handoff-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Connecting you with our team")

    chat = conversation(page)
    queue = agent_api.get("/v1/agent/handoffs").json()
    handoff = next(h for h in queue if h["conversation_id"] == chat["id"])
    assert agent_api.post(f"/v1/agent/handoffs/{handoff['id']}/claim").status_code == 200
    typed = "Hi, I'm Sam. Let's sort out your boots together."
    response = agent_api.post(f"/v1/agent/handoffs/{handoff['id']}/messages",
                              json={"text": typed})
    assert response.status_code == 201, response.text

    agent_message = page.locator("[data-testid=message][data-role=agent]")
    expect(agent_message).to_contain_text(typed, timeout=10_000)  # polled every 3 s
    expect(agent_message).to_contain_text("Sam from our team")
    expect(notice).to_contain_text("chatting with Sam")
    joined = page.locator("[data-testid=message][data-role=system]", has_text="joined")
    expect(joined).to_have_count(1)  # one "Sam ... has joined", not one per source
    expect(human).to_be_hidden()


def test_a_reload_resumes_the_conversation(page: Any) -> None:
    open_widget(page)
    send(page, JACKET)
    wait_for_replies(page, 1)
    page.reload()
    page.wait_for_function("() => window.Tandem !== undefined")
    expect(page.get_by_test_id("panel")).to_be_visible()  # it was open: it stays open
    shopper = page.locator("[data-testid=message][data-role=shopper]")
    expect(shopper).to_have_count(1)
    expect(shopper).to_contain_text(JACKET)
    expect(page.get_by_test_id("suggestion-card")).to_have_count(3)


def test_a_message_typed_offline_is_sent_once_when_back_online(
        page: Any, browser_context: Any, api: httpx.Client) -> None:
    open_widget(page)
    send(page, "hi")
    wait_for_replies(page, 1)
    chat = conversation(page)

    browser_context.set_offline(True)
    offline_text = "fleece jacket size M"
    send(page, offline_text)
    expect(page.get_by_test_id("queued")).to_have_text("Waiting for connection")
    assert offline_text not in [m["text"] for m in transcript(api, chat)["messages"]]

    browser_context.set_offline(False)
    wait_for_replies(page, 2)
    expect(page.get_by_test_id("queued")).to_have_count(0)
    page.reload()  # nothing left in the outbox to send a second time
    page.wait_for_function("() => window.Tandem !== undefined")
    expect(replies(page)).to_have_count(2)
    sent = [m for m in transcript(api, chat)["messages"]
            if m["role"] == "shopper" and m["text"] == offline_text]
    assert len(sent) == 1
    expect(page.locator("[data-testid=message][data-role=shopper]",
                        has_text=offline_text)).to_have_count(1)


def test_switching_personalisation_off_is_recorded_by_the_server(
        page: Any, api: httpx.Client) -> None:
    open_widget(page)
    send(page, "hi")
    wait_for_replies(page, 1)
    chat = conversation(page)
    assert transcript(api, chat)["personalization"] is True

    page.get_by_test_id("settings").click()
    toggle = page.get_by_test_id("personalization-toggle")
    expect(toggle).to_be_focused()
    toggle.click()
    expect(page.locator(".settings [role=status]")).to_have_text(
        "Personalised suggestions are off.")
    assert transcript(api, chat)["personalization"] is False
    page.reload()
    page.wait_for_function("() => window.Tandem !== undefined")
    page.get_by_test_id("settings").click()
    expect(page.get_by_test_id("personalization-toggle")).not_to_be_checked()


def test_an_over_long_message_shows_the_servers_error(page: Any) -> None:
    open_widget(page)
    too_long = "x" * 2001
    send(page, too_long)
    error = page.get_by_test_id("error")
    expect(error).to_have_text("the message is 2001 characters; the limit is 2000")
    expect(page.get_by_test_id("input")).to_have_value(too_long)  # nothing typed is lost
    expect(page.locator("[data-testid=message][data-role=shopper]")).to_have_count(0)


def test_sending_too_fast_shows_the_rate_limit(page: Any) -> None:
    open_widget(page)
    for n in range(CONVERSATION_LIMIT):
        send(page, f"hi {n}")
        wait_for_replies(page, n + 1)
    send(page, "one more")
    expect(page.get_by_test_id("error")).to_contain_text(
        "you are sending messages faster than we can answer; please wait")


def test_export_then_delete_my_data_from_the_settings_panel(
        page: Any, api: httpx.Client) -> None:
    open_widget(page)
    send(page, "hi")
    wait_for_replies(page, 1)
    chat = conversation(page)
    page.get_by_test_id("settings").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-data").click()
    exported = Path(download.value.path()).read_text()
    assert chat["id"] in exported and '"hi"' in exported

    page.once("dialog", lambda dialog: dialog.accept())  # "this cannot be undone"
    page.get_by_test_id("delete-data").click()
    expect(page.locator(".settings [role=status]")).to_have_text("Your data has been deleted.")
    gone = api.get(f"/v1/conversations/{chat['id']}",
                   headers={"Authorization": f"Bearer {chat['token']}"})
    assert gone.status_code in (401, 404)
    assert page.evaluate("() => localStorage.getItem('tandem:conversation')") is None
