"""Item 6: flags only on conversations handed to a person; the export is admin-only and has
personal data replaced by placeholders."""

from __future__ import annotations

import json

from api.settings import Settings
from tests.console.console_helpers import admin_agent, console_client, signed_in_csrf
from tests.helpers import say, start_chat


async def _answer_id(client: object, chat: object) -> int:
    messages = (await client.get(f"/v1/conversations/{chat.id}",  # type: ignore[attr-defined]
                                 headers=chat.headers)).json()["messages"]  # type: ignore[attr-defined]
    return int(next(m["id"] for m in messages if m["role"] == "assistant"))


async def test_an_answer_in_a_conversation_never_handed_off_cannot_be_flagged(
        settings: Settings) -> None:
    async with console_client(settings) as client:
        private = await start_chat(client)
        await say(client, private, "rain jacket size M, I'm at 12 Elm Street")
        answer_id = await _answer_id(client, private)
        csrf = await signed_in_csrf(client, "alex", "alex-password")
        flagged = await client.post(f"/console/messages/{answer_id}/flag", data={
            "csrf_token": csrf, "kind": "wrong", "reason": "probe"})
        assert flagged.status_code == 400
        assert "Elm Street" not in (await client.get("/console/flags")).text


async def test_the_export_is_for_admins_and_carries_no_personal_data(
        settings: Settings) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        await say(client, chat, "rain jacket size M, write to me at pat.lee@example.com or "
                                "call 555-867-5309")
        await say(client, chat, "I want to speak to a real person")
        answer_id = await _answer_id(client, chat)
        csrf = await signed_in_csrf(client, "alex", "alex-password")
        flagged = await client.post(f"/console/messages/{answer_id}/flag", data={
            "csrf_token": csrf, "kind": "wrong", "reason": "should have asked pat.lee@example.com"})
        assert flagged.status_code == 303
        assert (await client.get("/console/flags/export")).status_code == 403
        assert "flags/export" not in (await client.get("/console/flags")).text
        async with console_client(settings) as admin:
            await signed_in_csrf(admin, *admin_agent(client))
            export = await admin.get("/console/flags/export")
    assert export.status_code == 200
    case = next(c for c in map(json.loads, export.text.splitlines())
                if c["message_id"] == answer_id)
    text = json.dumps(case)
    assert "pat.lee@example.com" not in text and "867-5309" not in text
    assert "[EMAIL_1]" in case["turns"][0]["text"] and "[PHONE_1]" in case["turns"][0]["text"]
    assert case["reason"] == "should have asked [EMAIL_1]", "one numbering per case"
