"""Agents flag assistant answers; prompt engineers list them and export them as eval cases."""

from __future__ import annotations

import json

from api.settings import Settings
from tests.console.console_helpers import admin_agent, console_client, signed_in_csrf
from tests.helpers import say, start_chat


async def test_a_flagged_answer_is_listed_and_exported_as_an_eval_case(
        settings: Settings) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        answer = await say(client, chat, "Do you have a rain jacket under $200?")
        turn = await say(client, chat, "I want to speak to a real person")
        handoff_id = turn["handoff"]["id"]
        messages = (await client.get(f"/v1/conversations/{chat.id}",
                                     headers=chat.headers)).json()["messages"]
        shopper_id = messages[0]["id"]
        answer_id = next(m["id"] for m in messages if m["role"] == "assistant")
        csrf = await signed_in_csrf(client, "blair", "blair-password")

        for bad in ({"kind": "rude", "reason": "x"}, {"kind": "wrong", "reason": " "}):
            refused = await client.post(f"/console/messages/{answer_id}/flag",
                                        data={"csrf_token": csrf, **bad})
            assert refused.status_code == 400
        not_an_answer = await client.post(f"/console/messages/{shopper_id}/flag", data={
            "csrf_token": csrf, "kind": "wrong", "reason": "x"})
        assert not_an_answer.status_code == 400

        reason = "Offered jackets without asking the size <first>"
        flagged = await client.post(f"/console/messages/{answer_id}/flag", data={
            "csrf_token": csrf, "kind": "unhelpful", "reason": reason,
            "handoff_id": handoff_id})
        assert flagged.status_code == 303
        assert flagged.headers["location"] == f"/console/handoffs/{handoff_id}#m{answer_id}"
        page = await client.get(f"/console/handoffs/{handoff_id}")
        assert "Flagged unhelpful by Blair" in page.text
        assert "size &lt;first&gt;" in page.text

        listing = await client.get("/console/flags")
        assert listing.status_code == 200 and "size &lt;first&gt;" in listing.text

        assert (await client.get("/console/flags/export")).status_code == 403, "admins only"
        async with console_client(settings) as admin:
            await signed_in_csrf(admin, *admin_agent(client))
            export = await admin.get("/console/flags/export")
        assert export.status_code == 200
        assert export.headers["content-type"].startswith("application/x-ndjson")
        assert "attachment" in export.headers["content-disposition"]
        cases = [json.loads(line) for line in export.text.splitlines()]
        case = next(c for c in cases if c["message_id"] == answer_id)
        assert case["format"] == "tandem.flagged-answer.v1"
        assert case["turns"] == [{"role": "shopper",
                                  "text": "Do you have a rain jacket under $200?"}]
        assert case["flagged_answer"]["text"] == answer["reply"]["text"]
        assert [s["name"] for s in case["flagged_answer"]["suggestions"]] == [
            s["name"] for s in answer["reply"]["suggestions"]]
        assert all(s["because"] for s in case["flagged_answer"]["suggestions"])
        assert (case["kind"], case["reason"], case["flagged_by"]) == (
            "unhelpful", reason, "Blair")
        assert "I want to speak to a real person" not in json.dumps(case["turns"]), \
            "only the turns before the flagged answer"
