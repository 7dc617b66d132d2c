"""In an experiment, the widget asks for the visitor's variant first: the control gets no
assistant and writes to a person directly; the assistant group gets the assistant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from api.db import engine_for, session_scope
from api.experiments import service
from api.experiments.assignment import variant_for
from api.experiments.definition import parse_definition
from api.models import Handoff
from tests.browser.harness import LiveServer, live_server
from tests.browser.test_widget_chat import conversation, open_widget, send, wait_for_replies

pytestmark = pytest.mark.browser
DEFINITION = parse_definition({"name": "widget-control", "primary": "conversion",
                               "variants": {"control": 0.5, "assistant": 0.5}})


def _visitor(variant: str) -> str:
    return next(v for v in (f"browser-visitor-{i}" for i in range(500))
                if variant_for(DEFINITION, v) == variant)


@pytest.fixture(scope="module")
def experiment_server(browser_available: None, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[LiveServer]:
    """A server of its own with a running experiment (the shared one has none)."""
    with live_server(tmp_path_factory.mktemp("experiment-server")) as running:
        engine = engine_for(running.database_url)
        with session_scope(engine) as session:
            service.start(session, DEFINITION)
        engine.dispose()
        yield running


def _page_as(browser_context: Any, server: LiveServer, visitor: str) -> Any:
    browser_context.add_init_script(
        f"localStorage.setItem('tandem:visitor', JSON.stringify({visitor!r}))")
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.goto(server.url)
    page.wait_for_function("() => window.Tandem !== undefined")
    return page


def test_a_control_visitor_writes_to_a_person(browser_context: Any,
                                              experiment_server: LiveServer) -> None:
    visitor = _visitor("control")
    page = _page_as(browser_context, experiment_server, visitor)
    assert page.evaluate("() => window.Tandem.assistant") is False
    assert page.evaluate("() => window.Tandem.experiments") == {"widget-control": "control"}
    assert page.evaluate("() => window.Tandem.visitorId") == visitor
    cookies = {c["name"]: c["value"] for c in browser_context.cookies()}
    assert cookies["tandem_visitor"] == visitor  # the retailer's server reads it for events
    open_widget(page)
    expect(page.get_by_test_id("greeting")).to_contain_text("a person from our team")
    send(page, "Do you have a waterproof jacket under $200?")
    expect(page.get_by_text("Your message is with our team")).to_be_visible()
    expect(page.get_by_test_id("human-button")).to_be_hidden()
    wait_for_replies(page, 0)  # the greeting only: the assistant never answered
    chat = conversation(page)
    engine = engine_for(experiment_server.database_url)
    try:
        with session_scope(engine) as session:
            rules = session.exec(select(Handoff.rule).where(
                Handoff.conversation_id == chat["id"])).all()
    finally:
        engine.dispose()
    assert rules == ["experiment_control"]


def test_an_assistant_visitor_gets_the_assistant(browser_context: Any,
                                                 experiment_server: LiveServer) -> None:
    page = _page_as(browser_context, experiment_server, _visitor("assistant"))
    assert page.evaluate("() => window.Tandem.assistant") is True
    open_widget(page)
    expect(page.get_by_test_id("greeting")).not_to_contain_text("a person from our team")
    send(page, "waterproof jacket under $200, size M")
    wait_for_replies(page, 1)
    expect(page.get_by_test_id("suggestion-card").first).to_be_visible()
