"""Tool calls written as JSON text, turned into real tool calls (for the ReAct baseline).

Small local models asked to call tools usually write the call as text,
`{"name": "search_products", "arguments": {"query": "rain jacket"}}`, sometimes inside
`<tool_call>` tags or a code fence, instead of the runtime's tool-call format
(../shared/MEASURED.md: 0 tool calls in 12 turns without this).  Without a parser the
prebuilt ReAct agent would never call a tool, and the baseline would be a straw man; with
it, the agent gets every call the model meant to make.  That includes prose such as "use
the `check_stock` function with the arguments {"product_name": "..."}": a JSON object of
a tool's own parameters next to that tool's name (and no other's) is that tool's call.
It runs after the model, as one more step of the model runnable handed to
`create_react_agent`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolCall

_NAME_KEYS = ("name", "tool", "function", "tool_name")
_ARG_KEYS = ("arguments", "parameters", "args", "input")


def _json_objects(text: str) -> Iterator[dict[str, Any]]:
    """Every top-level JSON object in `text`, wherever it starts."""
    decoder = json.JSONDecoder()
    position = 0
    while (start := text.find("{", position)) != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            position = start + 1
            continue
        if isinstance(value, dict):
            yield value
        position = end


def _named_in_prose(obj: dict[str, Any], text: str, tools: Mapping[str, Collection[str]]
                    ) -> str | None:
    """The one tool named in `text` whose parameters include all of `obj`'s keys."""
    named = [n for n, params in tools.items()
             if n in text and obj and set(obj) <= set(params)]
    return named[0] if len(named) == 1 else None


def _as_call(obj: dict[str, Any], text: str, tools: Mapping[str, Collection[str]]
             ) -> ToolCall | None:
    if isinstance(obj.get("function"), dict):  # OpenAI's {"function": {"name", "arguments"}}
        obj = obj["function"]
    name = next((obj[k] for k in _NAME_KEYS if isinstance(obj.get(k), str)), None)
    if name is None and (name := _named_in_prose(obj, text, tools)) is not None:
        return ToolCall(name=name, args=obj, id=f"call_{uuid.uuid4().hex[:12]}")
    if name not in tools:
        return None
    args: Any = next((obj[k] for k in _ARG_KEYS if k in obj), {})
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            return None
    if not isinstance(args, dict):
        return None
    return ToolCall(name=str(name), args=args, id=f"call_{uuid.uuid4().hex[:12]}")


def with_text_tool_calls(message: BaseMessage, tools: Mapping[str, Collection[str]]
                         ) -> BaseMessage:
    """`message` with the tool calls written in its text made real; unchanged otherwise.
    `tools` maps each tool's name to its parameter names."""
    if not isinstance(message, AIMessage) or message.tool_calls:
        return message
    text = str(message.content)
    calls = [c for obj in _json_objects(text) if (c := _as_call(obj, text, tools))]
    if not calls:
        return message
    return AIMessage(content="", tool_calls=calls, id=message.id,
                     usage_metadata=message.usage_metadata,
                     response_metadata=message.response_metadata)
