"""`tandem monitor`: the last day against the previous weeks, to the log and a webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from api.db import engine_for, session_scope
from api.models import Conversation, TurnStat
from api.observability.monitor import compare
from api.settings import get_settings
from domain.tables import utcnow
from tandem.cli import app


def _fill(url: str, *, handoff_today: float) -> None:
    """Four weeks at a 10% handoff rate, then a last day at `handoff_today`."""
    now = utcnow()
    with session_scope(engine_for(url)) as session:
        session.add(Conversation(id="c-1", token_hash="x" * 64))
        session.flush()
        rows = []
        for day in range(1, 29):
            for i in range(100):
                rows.append(TurnStat(conversation_id="c-1", intent="discovery" if i % 2
                                     else "sizing", route="human" if i < 10 else "assistant",
                                     reply="model" if i % 5 else "withdrawn",
                                     created_at=now - timedelta(days=day, hours=3)))
        for i in range(200):
            rows.append(TurnStat(conversation_id="c-1", intent="discovery" if i % 2 else "sizing",
                                 route="human" if i < 200 * handoff_today else "assistant",
                                 reply="model" if i % 5 else "withdrawn",
                                 created_at=now - timedelta(hours=2)))
        session.add_all(rows)


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    monkeypatch.setenv("TANDEM_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_a_jump_in_handoffs_is_reported_and_the_rest_is_not(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    _fill(url, handoff_today=0.3)
    with session_scope(engine_for(url)) as session:
        report = compare(session, now=utcnow())
    moved = {f.name for f in report.moved}
    assert moved == {"handoff_rate"}, report
    handoffs = next(f for f in report.figures if f.name == "handoff_rate")
    assert handoffs.last_day == pytest.approx(0.3) and handoffs.baseline == pytest.approx(0.1)
    withdrawal = next(f for f in report.figures if f.name == "withdrawal_rate")
    assert withdrawal.baseline == pytest.approx(0.2) and not withdrawal.moved


def test_a_quiet_day_moves_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    _fill(url, handoff_today=0.11)
    with session_scope(engine_for(url)) as session:
        assert compare(session, now=utcnow()).moved == []


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_the_command_posts_what_moved_to_the_webhook(cli_db: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A real HTTP server on the loopback stands in for the team's webhook receiver."""
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("TANDEM_MONITOR_WEBHOOK_URL",
                           f"http://127.0.0.1:{server.server_port}/hook")
        get_settings.cache_clear()
        _fill(cli_db, handoff_today=0.3)
        result = CliRunner().invoke(app, ["monitor", "--no-scores"])
    finally:
        server.shutdown()
    assert result.exit_code == 1, result.output
    assert "handoff_rate" in result.output and "MOVED" in result.output
    assert _Hook.received and _Hook.received[-1]["moved"] == ["handoff_rate"]
