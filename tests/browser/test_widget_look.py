"""How the widget looks and whether everyone can use it: screenshots, mobile, axe-core.

Screenshots go to artifacts/screenshots/ (gitignored) for a reviewer to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.harness import AXE_JS, SCREENSHOTS, LiveServer, new_context
from tests.browser.test_widget_chat import JACKET, open_widget, send, wait_for_replies

pytestmark = pytest.mark.browser


@pytest.fixture
def mobile_page(playwright: Any, server: LiveServer, tmp_path: Path) -> Iterator[Any]:
    context = new_context(playwright, tmp_path / "mobile-profile",
                          viewport={"width": 375, "height": 740}, is_mobile=True,
                          has_touch=True, device_scale_factor=2)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(server.url)
    page.wait_for_function("() => window.Tandem !== undefined")
    yield page
    context.close()


def _screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000  # a real picture, not an empty page
    return path


def test_desktop_widget_is_a_panel_beside_the_page(page: Any) -> None:
    open_widget(page)
    send(page, JACKET)
    wait_for_replies(page, 1)
    box = page.get_by_test_id("panel").bounding_box()
    assert box["width"] == 380 and box["x"] + box["width"] <= 1280 - 20  # bottom right
    _screenshot(page, "widget-desktop.png")


def test_mobile_widget_fills_the_screen(mobile_page: Any) -> None:
    open_widget(mobile_page)
    send(mobile_page, JACKET)
    wait_for_replies(mobile_page, 1)
    box = mobile_page.get_by_test_id("panel").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 740)
    _screenshot(mobile_page, "widget-mobile.png")


def test_keyboard_only_use_and_focus_return(page: Any) -> None:
    launcher = page.get_by_test_id("launcher")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("input")).to_be_focused()  # focus moves into the chat
    page.keyboard.type("hi")
    page.keyboard.press("Enter")
    wait_for_replies(page, 1)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("panel")).to_be_hidden()
    expect(launcher).to_be_focused()  # and back to where it came from


def _serious_violations(page: Any, context: object | None) -> list[str]:
    """axe-core's serious and critical findings, readable, in `context` (None: the page)."""
    results = page.evaluate("ctx => axe.run(ctx || document)", context)
    assert results["passes"], f"axe checked nothing in {context}"
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violations(page: Any) -> None:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make test does)")
    page.add_script_tag(path=str(AXE_JS))
    # The closed launcher, then the open chat with cards and the settings panel: given the
    # host, axe walks into the widget's open shadow root.
    widget = {"include": [["#tandem-widget"]]}
    assert _serious_violations(page, widget) == []
    open_widget(page)
    send(page, JACKET)
    wait_for_replies(page, 1)
    page.get_by_test_id("settings").click()
    assert _serious_violations(page, widget) == []
    assert _serious_violations(page, None) == []  # the whole storefront with the chat open
