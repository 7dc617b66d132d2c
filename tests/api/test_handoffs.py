"""Support agents work the handoff queue: sign in, claim, reply, hand back."""

from __future__ import annotations

import asyncio

import httpx

from tests.helpers import agent_headers, say, start_chat


async def test_agents_must_sign_in(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/agent/handoffs")).status_code == 401
    bad = {"Authorization": "Bearer forged.token.value"}
    assert (await client.get("/v1/agent/handoffs", headers=bad)).status_code == 401
    wrong = await client.post("/v1/agent/login", json={"username": "alex", "password": "nope"})
    assert wrong.status_code == 401


async def test_a_handoff_carries_the_reason_and_a_summary_from_the_transcript(
        client: httpx.AsyncClient) -> None:
    chat = await start_chat(client)
    await say(client, chat, "Where is my order #R10001?")
    await say(client, chat, "My boots arrived damaged and I want a refund")
    alex = await agent_headers(client, "alex", "alex-password")
    queue = (await client.get("/v1/agent/handoffs", headers=alex)).json()
    mine = next(h for h in queue if h["conversation_id"] == chat.id)
    assert mine["rule"] == "complaint" and mine["mood"] == "frustrated"
    assert any("damaged" in reason for reason in mine["reasons"])
    summary = mine["summary"]
    assert summary["wants"] == "My boots arrived damaged and I want a refund"
    assert summary["orders"] == ["#R10001"]
    assert "Where is my order #R10001?" in summary["earlier_messages"]


async def test_two_agents_claiming_at_once_exactly_one_wins(client: httpx.AsyncClient) -> None:
    chat = await start_chat(client)
    turn = await say(client, chat, "I want to speak to a real person")
    handoff_id = turn["handoff"]["id"]
    alex = await agent_headers(client, "alex", "alex-password")
    blair = await agent_headers(client, "blair", "blair-password")
    results = await asyncio.gather(
        client.post(f"/v1/agent/handoffs/{handoff_id}/claim", headers=alex),
        client.post(f"/v1/agent/handoffs/{handoff_id}/claim", headers=blair))
    assert sorted(r.status_code for r in results) == [200, 409]


async def test_agent_reply_reaches_the_shopper_and_hand_back_restores_the_assistant(
        client: httpx.AsyncClient) -> None:
    chat = await start_chat(client)
    turn = await say(client, chat, "let me talk to a human")
    handoff_id = turn["handoff"]["id"]
    blair = await agent_headers(client, "blair", "blair-password")
    alex = await agent_headers(client, "alex", "alex-password")

    early = await client.post(f"/v1/agent/handoffs/{handoff_id}/messages", headers=blair,
                              json={"text": "Hi!"})
    assert early.status_code == 409, "an agent must claim before replying"
    assert (await client.post(f"/v1/agent/handoffs/{handoff_id}/claim",
                              headers=blair)).status_code == 200
    sent = await client.post(f"/v1/agent/handoffs/{handoff_id}/messages", headers=blair,
                             json={"text": "Hi, I'm Blair. How can I help?"})
    assert sent.status_code == 201
    stranger = await client.post(f"/v1/agent/handoffs/{handoff_id}/messages", headers=alex,
                                 json={"text": "me too"})
    assert stranger.status_code == 409

    transcript = (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)).json()
    agent_messages = [m for m in transcript["messages"] if m["role"] == "agent"]
    assert agent_messages == [m | {"text": "Hi, I'm Blair. How can I help?", "author": "Blair"}
                              for m in agent_messages] and len(agent_messages) == 1
    assert transcript["handoff"]["agent_name"] == "Blair"
    assert any("Blair" in m["text"] and m["role"] == "system" for m in transcript["messages"])

    silent = await say(client, chat, "I need a tent")
    assert silent["route"] == "human" and silent["reply"]["text"] == ""

    back = await client.post(f"/v1/agent/handoffs/{handoff_id}/hand-back", headers=blair)
    assert back.status_code == 200 and back.json()["status"] == "returned"
    answered = await say(client, chat, "I need a tent")
    assert answered["route"] == "assistant" and answered["reply"]["text"]
    queue = (await client.get("/v1/agent/handoffs", headers=alex)).json()
    assert handoff_id not in {h["id"] for h in queue}
