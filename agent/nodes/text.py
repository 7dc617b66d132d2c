"""Helpers that read the current turn out of the state."""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage

from agent.state import ConversationState


def last_shopper_text(state: ConversationState) -> str:
    for message in reversed(state["messages"]):
        if isinstance(message, HumanMessage):
            return str(message.content)
    raise ValueError("the turn has no shopper message")


def shopper_texts(state: ConversationState) -> list[str]:
    return [str(m.content) for m in state["messages"] if isinstance(m, HumanMessage)]


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", text.lower()).strip()
