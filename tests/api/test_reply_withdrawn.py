"""Through the API: a streamed model reply that states a price the store never gave is
withdrawn (`reset`), the template's facts follow, and operators see it counted."""

from __future__ import annotations

from agent.llm.scripted import ScriptedChatModel
from api.settings import Settings
from tests.conftest import api_client
from tests.helpers import say_streaming, start_chat

INVENTED = "The Ember jacket is just $19.99 today."


async def test_an_invented_price_is_withdrawn_and_the_facts_are_stored(
        settings: Settings) -> None:
    async with api_client(settings, model=ScriptedChatModel(replies=[INVENTED])) as client:
        chat = await start_chat(client)
        events = await say_streaming(client, chat, "waterproof hiking jacket under $200, size M")
        kinds = [kind for kind, _ in events]
        assert "reset" in kinds and kinds[-1] == "done"
        after_reset = "".join(d["text"] for kind, d in events[kinds.index("reset"):]
                              if kind == "token")
        final = events[-1][1]["reply"]
        assert "$19.99" not in final["text"] and after_reset.strip() == final["text"]
        assert final["suggestions"] and all(s["name"] in final["text"]
                                            for s in final["suggestions"])

        transcript = await client.get(f"/v1/conversations/{chat.id}", headers=chat.headers)
        stored = transcript.json()["messages"][-1]["text"]
        assert stored == final["text"]
        health: dict = (await client.get("/healthz")).json()
        assert health["replies"] == {"kept": 0, "replaced": 1,
                                     "replaced_by_intent": {"discovery": 1}}


async def test_a_faithful_reply_streams_without_a_reset(settings: Settings) -> None:
    faithful = "A few waterproof jackets in size M for you."
    async with api_client(settings, model=ScriptedChatModel(replies=[faithful])) as client:
        chat = await start_chat(client)
        events = await say_streaming(client, chat, "waterproof hiking jacket under $200, size M")
    assert "reset" not in [kind for kind, _ in events]
