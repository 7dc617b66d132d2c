"""When nobody can answer: business hours, agents online, and the shopper's contact email."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from api.db import engine_for, session_scope
from api.services.handoffs import create_agent
from api.services.staffing import is_open, next_opening
from api.settings import Settings
from tests.conftest import make_settings
from tests.console.console_helpers import console_client, signed_in_csrf
from tests.helpers import say, start_chat


def _settings(tmp_path: Path, **changes: object) -> Settings:
    """Settings on an empty database of its own: nobody from the shared test database has
    been active in the console, so "online" depends on this test alone."""
    return make_settings(database_url=f"sqlite:///{tmp_path / 'staffing.db'}", **changes)


@pytest.fixture
def agent_db(tmp_path: Path) -> Iterator[Path]:
    engine = engine_for(f"sqlite:///{tmp_path / 'staffing.db'}")
    with session_scope(engine) as session:
        create_agent(session=session, username="dana", password="dana-password",
                     display_name="Dana")
    yield tmp_path
    engine.dispose()


def test_business_hours_in_the_configured_time_zone() -> None:
    settings = make_settings(business_timezone="Europe/London",
                             business_open=time(9), business_close=time(17),
                        business_days=[0, 1, 2, 3, 4])
    friday_evening = datetime(2025, 7, 4, 17, 30, tzinfo=UTC)  # 18:30 in London (BST)
    assert not is_open(settings, friday_evening)
    assert is_open(settings, datetime(2025, 7, 4, 15, 59, tzinfo=UTC))
    opening = next_opening(settings, friday_evening)
    assert opening is not None and opening.isoformat() == "2025-07-07T09:00:00+01:00"
    assert next_opening(settings.model_copy(update={"business_days": []}),
                        friday_evening) is None
    with pytest.raises(ValueError, match="unknown time zone"):
        make_settings(business_timezone="Mars/Olympus")


async def test_out_of_hours_the_shopper_hears_when_a_person_will_reply(agent_db: Path) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).weekday()
    settings = _settings(agent_db, business_days=[tomorrow])
    async with console_client(settings) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, "I want to speak to a real person")
        assert turn["route"] == "human"
        text = turn["reply"]["text"]
        assert "Nobody is online now" in text
        assert "when we open tomorrow at 09:00 (UTC)" in text
        assert "Leave your email" in text


async def test_in_hours_with_nobody_online_the_wait_is_admitted(agent_db: Path) -> None:
    settings = _settings(agent_db, business_days=list(range(7)), business_open=time(0),
                         business_close=time(23, 59, 59, 999999))
    async with console_client(settings) as client:
        chat = await start_chat(client)
        text = (await say(client, chat, "let me talk to a human"))["reply"]["text"]
        assert "Nobody is free to answer this minute" in text

        await signed_in_csrf(client, "dana", "dana-password")  # Dana opens the console
        chat = await start_chat(client)
        text = (await say(client, chat, "let me talk to a human"))["reply"]["text"]
        assert "passing you to a person on our team now" in text
        assert "Nobody" not in text


async def test_the_shopper_leaves_an_email_that_agents_see(agent_db: Path) -> None:
    settings = _settings(agent_db, business_days=[])
    async with console_client(settings) as client:
        chat = await start_chat(client)
        path = f"/v1/conversations/{chat.id}/contact"
        early = await client.post(path, headers=chat.headers, json={"email": "a@example.com"})
        assert early.status_code == 409 and "no open handoff" in early.json()["detail"]

        turn = await say(client, chat, "I want to speak to a real person")
        assert "a person will reply as soon as someone is back" in turn["reply"]["text"]
        for bad in ("not-an-email", "a@b", "<script>@x.com", "a b@example.com"):
            refused = await client.post(path, headers=chat.headers, json={"email": bad})
            assert refused.status_code == 422, bad
            assert "email" in refused.json()["detail"]
        stranger = await client.post(path, json={"email": "a@example.com"})
        assert stranger.status_code == 401
        other = await start_chat(client)
        wrong = await client.post(path, headers=other.headers, json={"email": "a@example.com"})
        assert wrong.status_code == 404

        left = await client.post(path, headers=chat.headers,
                                 json={"email": "  Sam.Shopper@Example.com "})
        assert left.status_code == 200
        assert left.json() == {"handoff_id": turn["handoff"]["id"],
                               "email": "sam.shopper@example.com"}
        await signed_in_csrf(client, "dana", "dana-password")
        assert "sam.shopper@example.com" in (await client.get("/console")).text
        page = await client.get(f"/console/handoffs/{turn['handoff']['id']}")
        assert 'href="mailto:sam.shopper@example.com"' in page.text
