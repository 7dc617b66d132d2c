"""The handoff tells the widget when to offer the email form, and which email was left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.db import engine_for, session_scope
from api.services.handoffs import create_agent
from api.settings import Settings
from tests.conftest import make_settings
from tests.console.console_helpers import console_client, signed_in_csrf
from tests.helpers import Chat, agent_headers, say, start_chat


@pytest.fixture
def closed(tmp_path: Path) -> Iterator[Settings]:
    """Support never opens, on a database of its own where nobody has been online."""
    url = f"sqlite:///{tmp_path / 'contact.db'}"
    engine = engine_for(url)
    with session_scope(engine) as session:
        create_agent(session=session, username="dana", password="dana-password",
                     display_name="Dana")
    yield make_settings(database_url=url, business_days=[])
    engine.dispose()


async def _handoff(client: httpx.AsyncClient, chat: Chat) -> dict[str, Any]:
    read = await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
    assert read.status_code == 200, read.text
    handoff: dict[str, Any] = read.json()["handoff"]
    return handoff


async def test_nobody_online_the_handoff_asks_for_an_email_until_one_is_left(
        closed: Settings) -> None:
    async with console_client(closed) as client:
        chat = await start_chat(client)
        assert (await _handoff_or_none(client, chat)) is None
        turn = await say(client, chat, "I want to speak to a real person")
        assert turn["handoff"]["contact_wanted"] is True
        assert turn["handoff"]["contact_email"] is None
        assert (await _handoff(client, chat))["contact_wanted"] is True

        left = await client.post(f"/v1/conversations/{chat.id}/contact", headers=chat.headers,
                                 json={"email": "kim@example.com"})
        assert left.status_code == 200, left.text
        handoff = await _handoff(client, chat)
        assert handoff["contact_email"] == "kim@example.com"
        # A later message while waiting reports the same handoff, email included.
        waiting = await say(client, chat, "are you there?")
        assert waiting["handoff"]["contact_email"] == "kim@example.com"


async def test_the_form_is_not_offered_once_someone_can_answer(closed: Settings) -> None:
    async with console_client(closed) as client:
        chat = await start_chat(client)
        await say(client, chat, "let me talk to a human")
        await signed_in_csrf(client, "dana", "dana-password")  # Dana opens the console
        assert (await _handoff(client, chat))["contact_wanted"] is False

        later = await start_chat(client)
        turn = await say(client, later, "let me talk to a human")
        assert "passing you to a person on our team now" in turn["reply"]["text"]
        assert turn["handoff"]["contact_wanted"] is False


async def test_a_claimed_handoff_needs_no_email(closed: Settings) -> None:
    async with console_client(closed) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, "I want to speak to a real person")
        dana = await agent_headers(client, "dana", "dana-password")
        claim = await client.post(f"/v1/agent/handoffs/{turn['handoff']['id']}/claim",
                                  headers=dana)
        assert claim.status_code == 200, claim.text
        handoff = await _handoff(client, chat)
        assert handoff["agent_name"] == "Dana" and handoff["contact_wanted"] is False


async def test_a_bad_email_is_refused_in_one_readable_sentence(closed: Settings) -> None:
    async with console_client(closed) as client:
        chat = await start_chat(client)
        await say(client, chat, "I want to speak to a real person")
        refused = await client.post(f"/v1/conversations/{chat.id}/contact",
                                    headers=chat.headers, json={"email": "kim at example"})
        assert refused.status_code == 422
        assert refused.json()["detail"] == (
            "email: this does not look like an email address (name@example.com)")


async def _handoff_or_none(client: httpx.AsyncClient, chat: Chat) -> dict[str, Any] | None:
    read = await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
    handoff: dict[str, Any] | None = read.json()["handoff"]
    return handoff
