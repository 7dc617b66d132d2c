"""Resolving a handoff with one click records the agent's verdict, which becomes labelled
data (with the flags) for `tandem retrain`."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from api.db import session_scope
from api.models import HandoffVerdict
from api.services.verdicts import labelled_examples
from api.settings import Settings
from tests.console.console_helpers import console_client, csrf_of, signed_in_csrf
from tests.helpers import agent_headers, say, start_chat


async def test_one_click_resolves_and_labels_the_message_that_asked(settings: Settings,
                                                                    engine: Engine) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        await say(client, chat, "Do you have a rain jacket under $200?")
        turn = await say(client, chat, "My jacket arrived torn, jo@example.com, refund please")
        handoff_id = turn["handoff"]["id"]
        csrf = await signed_in_csrf(client, "alex", "alex-password")
        base = f"/console/handoffs/{handoff_id}"
        assert (await client.post(f"{base}/claim", data={"csrf_token": csrf})).status_code == 303
        page = (await client.get(base)).text
        assert "Resolve: it needed a person" in page and 'value="right" checked' in page
        done = await client.post(f"{base}/resolve", data={
            "csrf_token": csrf_of(page), "reason": "refund issued", "needed_person": "yes",
            "last_answer": "wrong"})
        assert done.status_code == 303
    with session_scope(engine) as session:
        verdict = session.exec(select(HandoffVerdict).where(
            HandoffVerdict.handoff_id == handoff_id)).one()
        assert verdict.needed_person and verdict.last_answer_right is False
        examples = [e for e in labelled_examples(session) if e.ref == f"handoff:{handoff_id}"]
    assert len(examples) == 1
    example = examples[0]
    assert example.route == "human" and example.source == "verdict:console"
    assert "arrived torn" in example.text and "jo@example.com" not in example.text


async def test_the_agent_api_takes_the_verdict_too(settings: Settings, engine: Engine) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, "can I talk to a human about sizes")
        handoff_id = turn["handoff"]["id"]
        blair = await agent_headers(client, "blair", "blair-password")
        await client.post(f"/v1/agent/handoffs/{handoff_id}/claim", headers=blair)
        resolved = await client.post(f"/v1/agent/handoffs/{handoff_id}/resolve", headers=blair,
                                     json={"reason": "size advice given",
                                           "needed_person": False, "last_answer_right": True})
        assert resolved.status_code == 200
    with session_scope(engine) as session:
        examples = [e for e in labelled_examples(session) if e.ref == f"handoff:{handoff_id}"]
    assert [(e.route, e.answer_right, e.source) for e in examples] == [
        ("assistant", True, "verdict:api")]


async def test_resolving_without_a_verdict_still_works(settings: Settings,
                                                       engine: Engine) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, "I want to speak to a person")
        handoff_id = turn["handoff"]["id"]
        csrf = await signed_in_csrf(client, "alex", "alex-password")
        base = f"/console/handoffs/{handoff_id}"
        await client.post(f"{base}/claim", data={"csrf_token": csrf})
        done = await client.post(f"{base}/resolve", data={"csrf_token": csrf, "reason": "ok"})
        assert done.status_code == 303
    with session_scope(engine) as session:
        assert session.exec(select(HandoffVerdict).where(
            HandoffVerdict.handoff_id == handoff_id)).first() is None
