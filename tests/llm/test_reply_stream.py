"""The streamed reply stops at a few sentences: past that, small models ramble and invent,
and every extra token costs the shopper time on a 2-core server."""

from __future__ import annotations

from typing import Any

from agent.llm.scripted import ScriptedChatModel
from agent.nodes.respond import MAX_SENTENCES, _stream_reply


async def test_a_rambling_reply_is_cut_after_the_last_whole_sentence() -> None:
    rambling = ("The Cascade jacket is in stock at $139.00 today. It is waterproof. "
                "It also packs small. It comes with a free tent! And a boat?")
    shown: list[dict[str, Any]] = []
    text = await _stream_reply(ScriptedChatModel(default_reply=rambling), [("user", "x")],
                               shown.append)
    assert MAX_SENTENCES == 3
    assert text == "The Cascade jacket is in stock at $139.00 today. It is waterproof. " \
                   "It also packs small."
    assert "".join(e["token"] for e in shown).strip() == text, "nothing more was streamed"


async def test_a_short_reply_is_kept_whole() -> None:
    text = await _stream_reply(ScriptedChatModel(default_reply="Two options in size M."),
                               [("user", "x")], lambda event: None)
    assert text == "Two options in size M."
