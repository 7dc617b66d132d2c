"""Answer a question about the store's policy (returns, exchanges, shipping) from its file.

Asking about the return policy is not asking to return something: the shopper gets the
retailer's own words at once (prompts/store_policy.j2), and nobody is handed the chat.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.context import TandemContext
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState


def store_policy(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    policy = runtime.context.store_policy
    topic = policy.topic_asked(last_shopper_text(state))
    if topic is None:  # the router only sends policy questions here
        raise ValueError("store_policy reached without a policy question")
    return {"facts": {"topic": topic, "policy": policy.facts(topic)},
            "turns_without_progress": 0}
