"""Small factories for API tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Chat:
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def start_chat(client: httpx.AsyncClient, **body: Any) -> Chat:
    response = await client.post("/v1/conversations", json=body or None)
    assert response.status_code == 201, response.text
    data = response.json()
    return Chat(id=data["id"], token=data["token"])


async def say(client: httpx.AsyncClient, chat: Chat, text: str,
              client_message_id: str | None = None) -> dict[str, Any]:
    response = await client.post(
        f"/v1/conversations/{chat.id}/messages", headers=chat.headers,
        json={"text": text, "client_message_id": client_message_id or uuid.uuid4().hex})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def say_streaming(client: httpx.AsyncClient, chat: Chat, text: str
                        ) -> list[tuple[str, dict[str, Any]]]:
    """One turn with `Accept: text/event-stream`: its (event, data) pairs in order."""
    events: list[tuple[str, dict[str, Any]]] = []
    async with client.stream(
        "POST", f"/v1/conversations/{chat.id}/messages",
        headers=chat.headers | {"Accept": "text/event-stream"},
        json={"text": text, "client_message_id": uuid.uuid4().hex},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((event, json.loads(line.removeprefix("data: "))))
    return events


async def agent_headers(client: httpx.AsyncClient, username: str,
                        password: str) -> dict[str, str]:
    response = await client.post("/v1/agent/login",
                                 json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
