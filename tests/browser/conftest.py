"""Fixtures for the end-to-end widget tests: one live server, Chromium per test.

The tests skip with the reason when Debian's Chromium or Playwright is missing (`make test`
installs Chromium when it may), except in CI (`CI=true`), where they must run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.harness import (
    AGENT,
    LiveServer,
    browser_missing_reason,
    live_server,
    new_context,
)

expect.set_options(timeout=15_000)  # two shared cores: a turn can take a few seconds
# Low enough that one test can reach it, high enough for every other test's conversation.
CONVERSATION_LIMIT = 6


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = browser_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server(browser_available: None, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("browser-server")
    with live_server(workdir, TANDEM_RATE_LIMIT_CONVERSATION_PER_MINUTE=str(
            CONVERSATION_LIMIT)) as running:
        yield running


@pytest.fixture(scope="module")
def playwright(browser_available: None) -> Iterator[Any]:
    """Per module, not per session: while it runs, its event loop blocks pytest-asyncio's
    loops, so it must be gone before the next module's async tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser_context(playwright: Any, tmp_path: Path) -> Iterator[Any]:
    """A fresh Chromium profile per test (desktop viewport); closed afterwards."""
    context = new_context(playwright, tmp_path / "profile", viewport={"width": 1280,
                                                                      "height": 800})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: Any, server: LiveServer) -> Any:
    """The demo storefront with the widget ready (`window.Tandem` set)."""
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.goto(server.url)
    page.wait_for_function("() => window.Tandem !== undefined")
    return page


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    """A plain HTTP client on the live server, for what a person does outside the widget."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
def agent_api(api: httpx.Client) -> httpx.Client:
    response = api.post("/v1/agent/login", json={"username": AGENT["username"],
                                                  "password": AGENT["password"]})
    assert response.status_code == 200, response.text
    api.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return api
