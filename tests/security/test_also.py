"""The issue's "Also" list: the body-size limit before parsing, the per-conversation rate
bucket after authentication, card numbers never stored, redaction decided by the model
endpoint's URL, and checkpoints that do not copy the whole transcript every turn."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.config import LLMConfig
from agent.llm.factory import make_chat_model
from agent.privacy.hosted import RedactingChatModel, is_local_endpoint
from agent.state import MAX_STATE_MESSAGES
from api.models import Message
from api.settings import Settings
from tests.conftest import api_client
from tests.console.console_helpers import console_client, signed_in_csrf
from tests.helpers import Chat, say, start_chat

CARD = "4111 1111 1111 1111"


async def test_an_oversized_body_is_refused_before_it_is_parsed_or_authenticated(
        client: httpx.AsyncClient) -> None:
    chat = await start_chat(client)
    huge = {"text": "x" * 3_000_000}
    # A wrong token: parsing first (as before) would read all 3 MB and answer 404.
    wrong = {"Authorization": "Bearer not-the-token"}
    response = await client.post(f"/v1/conversations/{chat.id}/messages", headers=wrong,
                                 json=huge)
    assert response.status_code == 413 and "bytes" in response.json()["detail"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: streamed in chunks
        yield b'{"text": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}'

    streamed = await client.post(f"/v1/conversations/{chat.id}/messages",
                                 headers=chat.headers | {"Content-Type": "application/json"},
                                 content=chunks())
    assert streamed.status_code == 413
    assert (await say(client, chat, "hiking socks"))["intent"] == "discovery", "still works"


async def test_someone_without_the_token_cannot_use_up_the_shoppers_rate_limit(
        settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_conversation_per_minute": 3})
    async with api_client(limited) as client:
        victim = await start_chat(client)
        for _ in range(6):
            spam = await client.post(f"/v1/conversations/{victim.id}/messages",
                                     headers={"Authorization": "Bearer guessed"},
                                     json={"text": "hello"})
            assert spam.status_code in (404, 429)
        turn = await client.post(f"/v1/conversations/{victim.id}/messages",
                                 headers=victim.headers, json={"text": "hiking socks"})
        assert turn.status_code == 200, turn.text


async def test_a_card_number_typed_into_the_chat_is_never_stored_or_shown(
        settings: Settings, engine: Engine) -> None:
    async with console_client(settings) as client:
        chat = await start_chat(client)
        await say(client, chat, f"charge my card {CARD} for the tent")
        turn = await say(client, chat, f"I want a person, refund {CARD.replace(' ', '')}")
        transcript = (await client.get(f"/v1/conversations/{chat.id}",
                                       headers=chat.headers)).text
        assert "4111" not in transcript and "[card number removed]" in transcript
        await signed_in_csrf(client, "alex", "alex-password")
        page = await client.get(f"/console/handoffs/{turn['handoff']['id']}")
        assert page.status_code == 200 and "4111" not in page.text
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.conversation_id == chat.id)).all()
    assert stored and not any("4111" in m.text for m in stored)


@pytest.mark.parametrize(("url", "local"), [
    (None, False), ("http://127.0.0.1:11434", True), ("http://localhost:8080/v1", True),
    ("http://[::1]:11434", True), ("http://10.0.4.2:11434", False),
    ("https://ollama.example.com", False), ("http://127.0.0.1.example.com", False),
])
def test_whether_an_endpoint_is_local_is_read_from_its_url(url: str | None,
                                                          local: bool) -> None:
    assert is_local_endpoint(url) is local


def test_ollama_on_another_host_gets_redacted_text_and_a_local_one_does_not() -> None:
    remote = make_chat_model(LLMConfig(provider="ollama", base_url="http://10.0.4.2:11434"))
    here = make_chat_model(LLMConfig(provider="ollama", base_url="http://127.0.0.1:11434"))
    openai = make_chat_model(LLMConfig(provider="openai", api_key="k"))
    assert isinstance(remote, RedactingChatModel) and isinstance(openai, RedactingChatModel)
    assert not isinstance(here, RedactingChatModel)
    off = make_chat_model(LLMConfig(provider="ollama", base_url="http://10.0.4.2:11434",
                                    redact_hosted=False))
    assert not isinstance(off, RedactingChatModel), "the retailer may switch it off"


async def test_checkpoints_hold_the_recent_turns_not_the_whole_transcript(
        client: httpx.AsyncClient) -> None:
    created = (await client.post("/v1/conversations")).json()
    chat = Chat(created["id"], created["token"])
    for n in range(MAX_STATE_MESSAGES):
        await say(client, chat, f"hiking socks size {n % 3 + 8}")
    saver = client.app.state.runtime.graph.checkpointer  # type: ignore[attr-defined]
    latest = await saver.aget_tuple({"configurable": {"thread_id": chat.id}})
    messages = latest.checkpoint["channel_values"]["messages"]
    assert len(messages) == MAX_STATE_MESSAGES
    assert "size" in str(messages[-2].content), "the newest turns are the ones kept"
    transcript = (await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
                  ).json()["messages"]
    assert len(transcript) == 2 * MAX_STATE_MESSAGES, "the transcript keeps every message"
