"""What the API accepts and returns.  Internal fields (evidence, token hashes) never leak."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_CLIENT_MESSAGE_ID = 64


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personalization: bool | None = Field(
        default=None, description="Use the shopper's history and profile; default from settings"
    )


class ConversationCreated(BaseModel):
    id: str
    token: str = Field(description="Bearer token for this conversation; shown once")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The shopper's message (length limit in settings)")
    client_message_id: str | None = Field(
        default=None, min_length=1, max_length=MAX_CLIENT_MESSAGE_ID, pattern=r"^[\w.:-]+$",
        description="Idempotency key: resending the same id returns the first answer",
    )


class SuggestionOut(BaseModel):
    product_id: str
    variant_id: str
    name: str
    price: float
    currency: str = "USD"
    size: str | None = None
    color: str | None = None
    in_stock: bool
    stock_note: str
    because: str


class ReplyOut(BaseModel):
    text: str
    suggestions: list[SuggestionOut] = Field(default_factory=list)


class HandoffRef(BaseModel):
    id: str
    status: str
    agent_name: str | None = None


class TurnOut(BaseModel):
    message_id: int = Field(description="Id of the shopper message this turn answered")
    reply: ReplyOut
    route: Literal["assistant", "human"]
    intent: str
    handoff: HandoffRef | None = None


class TranscriptMessage(BaseModel):
    id: int
    role: str
    text: str
    author: str | None = None
    suggestions: list[SuggestionOut] = Field(default_factory=list)
    created_at: datetime


class TranscriptOut(BaseModel):
    id: str
    mode: str
    personalization: bool
    messages: list[TranscriptMessage]
    handoff: HandoffRef | None = None


class PrivacyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personalization: bool


class PrivacyOut(BaseModel):
    personalization: bool


class AgentLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class AgentSession(BaseModel):
    token: str
    display_name: str


class HandoffOut(BaseModel):
    id: str
    conversation_id: str
    status: str
    priority: int
    rule: str
    reasons: list[str]
    mood: str
    summary: dict[str, Any]
    agent_name: str | None = None
    created_at: datetime
    waiting_seconds: int


class AgentReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class Health(BaseModel):
    status: Literal["ok", "starting", "degraded"]
    database: Literal["ok", "error"]
    model: Literal["ready", "loading", "failed"]
    provider: str
