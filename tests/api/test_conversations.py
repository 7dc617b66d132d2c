"""A shopper's conversation through the API: suggestions, orders, handoff, bad input."""

from __future__ import annotations

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.commerce.inventory import DatabaseInventory
from api.models import Message
from domain.tables import Order, StockLevel, Variant
from tests.helpers import say, say_streaming, start_chat


async def test_product_question_gets_in_stock_suggestions_that_meet_the_constraints(
        client: httpx.AsyncClient, engine: Engine) -> None:
    chat = await start_chat(client)
    turn = await say(client, chat, "waterproof hiking jacket under $200, size M")

    assert turn["route"] == "assistant" and turn["intent"] == "discovery"
    suggestions = turn["reply"]["suggestions"]
    assert suggestions, "a waterproof jacket under $200 in M exists in the demo store"
    stock = DatabaseInventory(engine).stock_for([s["variant_id"] for s in suggestions])
    with Session(engine) as session:
        for s in suggestions:
            variant = session.get(Variant, s["variant_id"])
            assert variant is not None and variant.product_id == s["product_id"]
            assert s["price"] <= 200 and s["size"] == "M" and s["in_stock"] is True
            assert stock[s["variant_id"]], f"{s['variant_id']} suggested but has no stock"
            assert s["because"].startswith("Because you asked for")
            assert "under $200" in s["because"] and "size M" in s["because"]
            assert "evidence" not in s, "stored evidence must not leak to the shopper"


async def test_an_out_of_stock_variant_is_never_suggested(client: httpx.AsyncClient,
                                                          engine: Engine) -> None:
    with Session(engine) as session:
        in_stock = {s.variant_id for s in session.exec(
            select(StockLevel).where(StockLevel.quantity > 0)).all()}
    chat = await start_chat(client)
    for question in ("rain jacket", "hiking boots size 10", "tent", "warm jacket size S",
                     "fleece", "socks"):
        turn = await say(client, chat, question)
        for s in turn["reply"]["suggestions"]:
            assert s["variant_id"] in in_stock, f"{question!r} suggested {s['variant_id']}"


async def test_order_status_needs_proof_and_a_wrong_proof_reads_like_an_unknown_order(
        client: httpx.AsyncClient, engine: Engine) -> None:
    with Session(engine) as session:
        order = session.exec(select(Order).where(Order.status == "shipped")
                             .order_by(col(Order.id))).first()
    assert order is not None and order.tracking_number
    chat = await start_chat(client)

    ask = await say(client, chat, f"Where is my order {order.id}?")
    assert ask["intent"] == "order_status"
    assert "email" in ask["reply"]["text"].lower() and order.tracking_number not in str(ask)

    wrong = await say(client, chat, f"{order.id} my email is nobody@example.net")
    unknown = await say(client, chat, "#Z9999999 my email is nobody@example.net")
    assert wrong["reply"]["text"] == unknown["reply"]["text"]
    assert order.tracking_number not in wrong["reply"]["text"]

    right = await say(client, chat, f"order {order.id}, email {order.email.upper()}")
    assert order.tracking_number in right["reply"]["text"]
    assert "on its way" in right["reply"]["text"]


async def test_anger_and_returns_go_to_a_person_and_the_assistant_then_stays_silent(
        client: httpx.AsyncClient) -> None:
    chat = await start_chat(client)
    turn = await say(client, chat, "This is ridiculous, I want to return these boots!")
    assert turn["route"] == "human" and turn["intent"] == "handoff"
    assert turn["handoff"]["status"] == "open"
    assert "person" in turn["reply"]["text"].lower()

    later = await say(client, chat, "hello? are you there? I need a rain jacket")
    assert later["route"] == "human" and later["reply"]["text"] == ""
    transcript = (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)).json()
    assert transcript["mode"] == "human"
    assert [m["role"] for m in transcript["messages"]] == ["shopper", "assistant", "shopper"]


async def test_resending_a_client_message_id_returns_the_first_answer_without_a_new_turn(
        client: httpx.AsyncClient, engine: Engine) -> None:
    chat = await start_chat(client)
    first = await say(client, chat, "fleece jacket size L", client_message_id="abc-1")
    again = await say(client, chat, "fleece jacket size L", client_message_id="abc-1")
    assert again == first
    with Session(engine) as session:
        count = len(session.exec(select(Message).where(
            Message.conversation_id == chat.id)).all())
    assert count == 2


async def test_streaming_sends_tokens_then_the_full_reply(client: httpx.AsyncClient) -> None:
    chat = await start_chat(client)
    events = await say_streaming(client, chat, "rain jacket size M")
    kinds = [e for e, _ in events]
    assert kinds[-1] == "done" and kinds.count("done") == 1 and "token" in kinds
    streamed = "".join(str(d["text"]) for e, d in events if e == "token")
    final = events[-1][1]
    assert streamed.strip() == final["reply"]["text"]  # type: ignore[index]


async def test_the_transcript_is_only_for_the_token_holder(client: httpx.AsyncClient) -> None:
    mine, theirs = await start_chat(client), await start_chat(client)
    await say(client, theirs, "I need a tent")
    stolen = await client.get(f"/v1/conversations/{theirs.id}", headers=mine.headers)
    assert stolen.status_code == 404
    missing = await client.get(f"/v1/conversations/{theirs.id}")
    assert missing.status_code == 401
    own = await client.get(f"/v1/conversations/{theirs.id}", headers=theirs.headers)
    assert own.status_code == 200 and own.json()["messages"][0]["text"] == "I need a tent"


async def test_bad_input_gets_a_clear_4xx_and_changes_nothing(client: httpx.AsyncClient,
                                                              engine: Engine) -> None:
    chat = await start_chat(client)
    url = f"/v1/conversations/{chat.id}/messages"
    cases = [
        ({"text": ""}, 422), ({"text": "   "}, 422), ({"text": "x" * 2001}, 413),
        ({"text": "hi", "surprise": 1}, 422), ({}, 422),
        ({"text": "hi", "client_message_id": "bad id with spaces"}, 422),
    ]
    for body, code in cases:
        response = await client.post(url, headers=chat.headers, json=body)
        assert response.status_code == code, (body, response.text)
        assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    malformed = await client.post(url, headers=chat.headers | {"Content-Type":
                                                               "application/json"},
                                  content=b"{not json")
    assert malformed.status_code == 422
    unknown = await client.post("/v1/conversations/nope/messages", headers=chat.headers,
                                json={"text": "hi"})
    assert unknown.status_code == 404
    with Session(engine) as session:
        assert not session.exec(select(Message).where(Message.conversation_id == chat.id)).all()


async def test_starting_a_conversation_with_personalisation_off_is_recorded(
        client: httpx.AsyncClient) -> None:
    chat = await start_chat(client, personalization=False)
    transcript = (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)).json()
    assert transcript["personalization"] is False
    switched = await client.put(f"/v1/conversations/{chat.id}/privacy", headers=chat.headers,
                                json={"personalization": True})
    assert switched.status_code == 200 and switched.json() == {"personalization": True}


