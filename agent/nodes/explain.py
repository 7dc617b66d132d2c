""""Why did you suggest that?": the stored evidence of the last suggestions, in plain words.

No model call and no data read: the answer is rendered from the evidence that was kept with
each suggestion when it was made (`last_suggestions` in the graph state), so it can never
claim a reason that was not used.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.context import TandemContext
from agent.nodes.text import last_shopper_text
from agent.state import ConversationState

_WORD = re.compile(r"[a-z0-9]+")


def _named(text: str, suggestions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The suggestions the shopper named ("why the Trailhead?"), or all of them."""
    asked = set(_WORD.findall(text.lower()))
    words = [{w for w in _WORD.findall(s["name"].lower()) if len(w) > 3} for s in suggestions]
    # Only a word no other suggestion shares names one ("jacket" may name them all).
    named = [s for i, s in enumerate(suggestions)
             if asked & (words[i] - set().union(*(w for j, w in enumerate(words) if j != i)))]
    return named or suggestions


def explain(state: ConversationState, runtime: Runtime[TandemContext]) -> dict[str, Any]:
    ctx = runtime.context
    chosen = _named(last_shopper_text(state), state.get("last_suggestions") or [])
    reply = ctx.prompts.render("explain", items=[
        {"name": s["name"], "evidence": s.get("evidence", [])} for s in chosen])
    runtime.stream_writer({"token": reply})
    return {"reply": reply, "messages": [AIMessage(content=reply)],
            "facts": {"explained": [s["name"] for s in chosen]},
            "turns_without_progress": 0}
