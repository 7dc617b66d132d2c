"""The chat widget in a real browser: size, time to ready, time to first streamed token.

Uses the browser tests' setup (tests/browser/harness.py): the real app under uvicorn on
127.0.0.1 with a fresh SQLite demo store and the `scripted` model, and Debian's Chromium
headless through Playwright.  Prints a table and writes bench/results/widget.json.

- size: api/static/widget.js as served (esbuild's build of widget/src/, committed), raw and
  gzipped (level 9, as a CDN would), against the 30 KB gzipped budget;
- ready: from navigation start to the widget's `tandem:ready` event (performance.now());
- first token in the browser: from `Tandem.send()` to the reply's first text in the DOM;
- baseline: the same turn's first `token` event read by a plain HTTP client on loopback in
  the same run (no browser), so the difference is what the browser and widget add.

    python bench/widget.py [--runs N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The project root goes on the path first, so the import sits below it.
from bench import RESULTS_DIR
from tests.browser.harness import (
    PROJECT_ROOT,
    browser_missing_reason,
    live_server,
    new_context,
)

QUESTION = "waterproof hiking jacket under $200, size M"
READY_PROBE = """window.__tandemReadyAt = null;
window.addEventListener('tandem:ready', () => { window.__tandemReadyAt = performance.now(); });"""
# Resolves with the ms from send() until the new reply bubble shows text (not the typing dots).
FIRST_TOKEN = """text => new Promise(resolve => {
  const log = document.getElementById('tandem-widget').shadowRoot.querySelector('.log');
  const before = log.querySelectorAll('.message-assistant').length;
  const t0 = performance.now();
  const seen = new MutationObserver(() => {
    const replies = log.querySelectorAll('.message-assistant');
    const last = replies[replies.length - 1];
    if (replies.length > before && !last.querySelector('[data-testid=typing]')
        && last.textContent.trim()) {
      seen.disconnect(); resolve(performance.now() - t0);
    }
  });
  seen.observe(log, {childList: true, subtree: true, characterData: true});
  window.Tandem.send(text);
})"""


# The widget's size budget, gzipped; tests/widget/ checks the built file against it too.
SIZE_BUDGET_GZIP_BYTES = 30 * 1024


def widget_size() -> dict[str, int]:
    """The built, served file (tests/widget/ checks it is the build of widget/src/)."""
    raw = (PROJECT_ROOT / "api" / "static" / "widget.js").read_bytes()
    return {"raw_bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, compresslevel=9)),
            "budget_gzip_bytes": SIZE_BUDGET_GZIP_BYTES}


def _wait_idle(page: Any) -> None:
    page.wait_for_function("""() => !document.getElementById('tandem-widget').shadowRoot
        .querySelector('[data-testid=typing]')""")


def browser_run(playwright: Any, url: str, workdir: Path, runs: int) -> dict[str, list[float]]:
    ready: list[float] = []
    first_token: list[float] = []
    for run in range(runs):
        context = new_context(playwright, workdir / f"profile-{run}",
                              viewport={"width": 1280, "height": 800})
        context.add_init_script(READY_PROBE)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url)
        page.wait_for_function("() => window.__tandemReadyAt !== null")
        ready.append(page.evaluate("() => window.__tandemReadyAt"))
        page.evaluate("() => window.Tandem.send('hi')")  # creates the conversation
        _wait_idle(page)
        first_token.append(page.evaluate(FIRST_TOKEN, QUESTION))
        _wait_idle(page)
        context.close()
    return {"ready_ms": ready, "first_token_ms": first_token}


def http_run(url: str, runs: int) -> list[float]:
    """First `token` event of the same turn, read by httpx on loopback: the baseline."""
    times: list[float] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(runs):
            chat = client.post("/v1/conversations").json()
            headers = {"Authorization": f"Bearer {chat['token']}"}
            client.post(f"/v1/conversations/{chat['id']}/messages", headers=headers,
                        json={"text": "hi", "client_message_id": uuid.uuid4().hex})
            start = time.perf_counter()
            with client.stream("POST", f"/v1/conversations/{chat['id']}/messages",
                               headers={**headers, "Accept": "text/event-stream"},
                               json={"text": QUESTION,
                                     "client_message_id": uuid.uuid4().hex}) as response:
                first: float | None = None
                for line in response.iter_lines():  # read to the end: the turn finishes
                    if first is None and line == "event: token":
                        first = (time.perf_counter() - start) * 1000
                if first is not None:
                    times.append(first)
    return times


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
            "min": round(ordered[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="browser sessions and HTTP turns")
    args = parser.parse_args()
    reason = browser_missing_reason()
    if reason:
        raise SystemExit(reason)
    from playwright.sync_api import sync_playwright

    size = widget_size()
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp)) as server:
        # The HTTP baseline first, then the browser: same server, same store, same run.
        baseline = http_run(server.url, args.runs)
        with sync_playwright() as playwright:
            browser = browser_run(playwright, server.url, Path(tmp), args.runs)
    result = {"widget": size, "runs": args.runs,
              "ready_ms": _summary(browser["ready_ms"]),
              "browser_first_token_ms": _summary(browser["first_token_ms"]),
              "http_first_token_ms": _summary(baseline)}
    print(f"widget.js: {size['raw_bytes']} bytes, {size['gzip_bytes']} bytes gzipped "
          f"({size['gzip_bytes'] / 1024:.1f} KiB, "
          f"{size['gzip_bytes'] / SIZE_BUDGET_GZIP_BYTES:.0%} of the 30 KiB budget)")
    print(f"{'measure (ms)':<44}{'p50':>8}{'p95':>8}{'min':>8}")
    for label, key in (("page load -> tandem:ready", "ready_ms"),
                       ("send -> first token in the browser", "browser_first_token_ms"),
                       ("baseline: request -> first token (httpx)", "http_first_token_ms")):
        row = result[key]
        assert isinstance(row, dict)
        print(f"{label:<44}{row['p50']:>8}{row['p95']:>8}{row['min']:>8}")
    out = RESULTS_DIR / "widget.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
