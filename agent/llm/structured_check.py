"""One schema-constrained request: proof that a runtime enforces ``response_format``.

The understanding step relies on the runtime, not the model, keeping answers to the JSON
schema.  A native build without LLGuidance enforces schemas through llama.cpp's own
grammar converter instead, so every new build runs this before it is used
(agent/llm/runtime_build.py), and the embedded tests run it on whichever build is loaded.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Protocol

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field, ValidationError

TRIAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": ["browse", "order_status", "return", "other"]},
        "order_number": {"type": ["string", "null"]},
        "urgency": {"type": "integer", "minimum": 1, "maximum": 3},
    },
    "required": ["intent", "order_number", "urgency"],
    "additionalProperties": False,
}


class Triage(BaseModel):
    """TRIAGE_SCHEMA as a model, to check the answer against."""

    model_config = ConfigDict(extra="forbid", strict=True)
    intent: Literal["browse", "order_status", "return", "other"]
    order_number: str | None
    urgency: int = Field(ge=1, le=3)


# The question invites prose: only constrained decoding keeps the reply to the schema.
PROSE_BAIT = "Where is my order 10432?? Tell me a long story about it."


class _ChatModels(Protocol):
    def chat_model(self, *, max_tokens: int, timeout_s: float,
                   temperature: float = 0.2) -> BaseChatModel: ...


class SchemaNotEnforced(RuntimeError):
    """The runtime returned text that is not JSON valid against the requested schema."""


def schema_round_trip(runtime: _ChatModels) -> dict[str, Any]:
    """Ask for TRIAGE_SCHEMA; returns the parsed answer, raises SchemaNotEnforced if not."""
    model = runtime.chat_model(max_tokens=80, timeout_s=120, temperature=0.0).bind(
        response_format={"type": "json_schema", "json_schema": {
            "name": "triage", "schema": TRIAGE_SCHEMA, "strict": True}})
    reply = str(model.invoke([("system", "Classify the shopper message."),
                              ("user", PROSE_BAIT)]).content)
    try:
        data = json.loads(reply)
        Triage.model_validate(data)
    except (ValueError, ValidationError) as exc:  # not JSON, or JSON off the schema
        raise SchemaNotEnforced(f"reply not valid against the schema: {reply[:300]!r}") from exc
    result: dict[str, Any] = data
    return result
