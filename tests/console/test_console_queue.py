"""The queue and one handoff: order, SLA clock, claim race, reply, notes, resolve, hand back."""

from __future__ import annotations

import asyncio
import re

from markupsafe import escape
from sqlalchemy.engine import Engine

from api.db import session_scope
from api.models import Handoff
from api.settings import Settings
from tests.console.console_helpers import (
    close_handoffs,
    console_client,
    csrf_of,
    make_handoff,
    signed_in_csrf,
)
from tests.helpers import say, start_chat

ROW = re.compile(r'data-handoff="([0-9a-f-]{36})"')


async def test_the_queue_is_ordered_by_priority_then_waiting_time(
        settings: Settings, engine: Engine) -> None:
    ids = {
        "p3_oldest": make_handoff(engine, priority=3, waiting_minutes=300),
        "p2_newer": make_handoff(engine, priority=2, waiting_minutes=5),
        "p1_newest": make_handoff(engine, priority=1, waiting_minutes=1),
        "p2_older": make_handoff(engine, priority=2, waiting_minutes=90),
    }
    try:
        async with console_client(settings) as client:
            await signed_in_csrf(client, "alex", "alex-password")
            page = await client.get("/console")
            shown = [i for i in ROW.findall(page.text) if i in ids.values()]
            assert shown == [ids["p1_newest"], ids["p2_older"], ids["p2_newer"],
                             ids["p3_oldest"]]
            # SLA (settings: P2 60 min): the 90-minute P2 is overdue, the 5-minute one not.
            row = page.text.split(f'data-handoff="{ids["p2_older"]}"')[1].split("</tr>")[0]
            assert 'class="sla overdue"' in row and "overdue 30 min" in row
            row = page.text.split(f'data-handoff="{ids["p2_newer"]}"')[1].split("</tr>")[0]
            assert 'class="sla"' in row and re.search(r"due in 5[45] min", row)
            polled = await client.get("/console/queue/rows")
            assert [i for i in ROW.findall(polled.text) if i in ids.values()] == shown
    finally:
        close_handoffs(engine, list(ids.values()))


async def test_two_agents_claiming_at_once_exactly_one_wins(
        settings: Settings, engine: Engine) -> None:
    handoff_id = make_handoff(engine, priority=2, waiting_minutes=1)
    try:
        async with console_client(settings) as alex, console_client(settings) as blair:
            alex_csrf = await signed_in_csrf(alex, "alex", "alex-password")
            blair_csrf = await signed_in_csrf(blair, "blair", "blair-password")
            path = f"/console/handoffs/{handoff_id}/claim"
            results = await asyncio.gather(alex.post(path, data={"csrf_token": alex_csrf}),
                                           blair.post(path, data={"csrf_token": blair_csrf}))
            assert sorted(r.status_code for r in results) == [303, 409]
            loser = next(r for r in results if r.status_code == 409)
            assert "already claimed" in loser.text
            with session_scope(engine) as session:
                handoff = session.get(Handoff, handoff_id)
                assert handoff is not None and handoff.status == "claimed"
    finally:
        close_handoffs(engine, [handoff_id])


async def test_an_agent_works_a_handoff_from_claim_to_resolve(settings: Settings) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        first = await say(client, chat, "Do you have a rain jacket under $200?")
        suggestions = first["reply"]["suggestions"]
        assert suggestions, "the demo store has rain jackets under $200"
        turn = await say(client, chat, "I want to speak to a real person")
        handoff_id = turn["handoff"]["id"]
        csrf = await signed_in_csrf(client, "alex", "alex-password")
        base = f"/console/handoffs/{handoff_id}"

        page = await client.get(base)
        assert page.status_code == 200
        assert "Do you have a rain jacket under $200?" in page.text
        assert "I want to speak to a real person" in page.text
        assert "human_request" in page.text
        for suggestion in suggestions:  # what the assistant already offered, and why
            assert str(escape(suggestion["name"])) in page.text
            assert str(escape(suggestion["because"])) in page.text
            assert f"${suggestion['price']:,.2f}" in page.text
        early = await client.post(f"{base}/reply", data={"csrf_token": csrf, "text": "Hi"})
        assert early.status_code == 409 and "claim this handoff" in early.text

        assert (await client.post(f"{base}/claim", data={"csrf_token": csrf})).status_code == 303
        page = await client.get(base)
        assert "(you)" in page.text and 'name="text"' in page.text

        last_id = max(m["id"] for m in (await client.get(
            f"/v1/conversations/{chat.id}", headers=chat.headers)).json()["messages"])
        sent = await client.post(f"{base}/reply", data={
            "csrf_token": csrf, "text": "Hi, I'm Alex. Let me look at jackets with you."})
        assert sent.status_code == 303
        # What the widget's poll returns: the reply, signed with the agent's name.
        polled = (await client.get(f"/v1/conversations/{chat.id}?after={last_id}",
                                   headers=chat.headers)).json()
        assert [(m["role"], m["author"], m["text"]) for m in polled["messages"]
                if m["role"] == "agent"] == [
            ("agent", "Alex", "Hi, I'm Alex. Let me look at jackets with you.")]
        assert polled["handoff"]["agent_name"] == "Alex"

        noted = await client.post(f"{base}/notes", data={
            "csrf_token": csrf, "text": "Prefers hoods; budget is firm."})
        assert noted.status_code == 303
        assert "Prefers hoods; budget is firm." in (await client.get(base)).text
        shopper_view = (await client.get(f"/v1/conversations/{chat.id}",
                                         headers=chat.headers)).text
        assert "Prefers hoods" not in shopper_view, "notes are internal"
        empty = await client.post(f"{base}/notes", data={"csrf_token": csrf, "text": "  "})
        assert empty.status_code == 400

        no_reason = await client.post(f"{base}/resolve", data={"csrf_token": csrf})
        assert no_reason.status_code == 400
        done = await client.post(f"{base}/resolve", data={
            "csrf_token": csrf, "reason": "Recommended the Storm Shell jacket"})
        assert done.status_code == 303 and done.headers["location"] == "/console"
        queue = await client.get("/console")
        assert handoff_id not in queue.text
        page = await client.get(base)
        assert "Resolved: Recommended the Storm Shell jacket" in page.text


async def test_handing_back_lets_the_assistant_answer_again(settings: Settings) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, "let me talk to a human")
        handoff_id = turn["handoff"]["id"]
        csrf = await signed_in_csrf(client, "blair", "blair-password")
        base = f"/console/handoffs/{handoff_id}"
        await client.post(f"{base}/claim", data={"csrf_token": csrf})
        assert (await say(client, chat, "I need a tent"))["reply"]["text"] == ""
        back = await client.post(f"{base}/hand-back", data={"csrf_token": csrf})
        assert back.status_code == 303
        answered = await say(client, chat, "I need a tent")
        assert answered["route"] == "assistant" and answered["reply"]["text"]


async def test_shopper_text_is_escaped_everywhere_in_the_console(settings: Settings) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    async with console_client(settings) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, f"I want to speak to a real person {attack}")
        handoff_id = turn["handoff"]["id"]
        csrf = await signed_in_csrf(client, "alex", "alex-password")
        base = f"/console/handoffs/{handoff_id}"
        await client.post(f"{base}/notes", data={"csrf_token": csrf, "text": attack})
        for path in ("/console", "/console/queue/rows", base, f"{base}/transcript"):
            html = (await client.get(path)).text
            assert "<script>alert" not in html and "<img src=x" not in html, path
        page = (await client.get(base)).text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
        headers = (await client.get(base)).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        await client.post(f"{base}/claim", data={"csrf_token": csrf_of(page)})
        await client.post(f"{base}/resolve", data={"csrf_token": csrf, "reason": "test"})
