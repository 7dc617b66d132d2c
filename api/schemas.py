"""What the API accepts and returns.  Internal fields (evidence, token hashes) never leak."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

MAX_CLIENT_MESSAGE_ID = 64


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personalization: bool | None = Field(
        default=None, description="Use the shopper's history and profile; default from settings"
    )
    customer_token: str | None = Field(
        default=None, min_length=1, max_length=1024,
        description="A signed-in shopper's customer token, signed by the storefront "
                    "(docs/privacy.md); the `X-Customer-Token` header works too")
    visitor_id: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=r"^[\w.:@-]+$",
        description="The storefront's visitor id (as sent to /v1/assignments): the "
                    "conversation then carries the visitor's experiment variants")


class ConversationCreated(BaseModel):
    id: str
    token: str = Field(description="Bearer token for this conversation; shown once")
    signed_in: bool = Field(default=False,
                            description="Whether a valid customer token signed the shopper in")
    expires_at: datetime | None = Field(
        default=None, description="When the token stops opening the conversation (its "
                                  "lifetime, or the sign-in's expiry if sooner)")


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
    options: dict[str, str] = Field(
        default_factory=dict,
        description="every option of the variant (name: value) as the store has them, "
                    "e.g. {\"band material\": \"leather\"}")
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
    contact_wanted: bool = Field(
        default=False, description="Nobody is online to take this open handoff: offer the "
                                   "shopper to leave an email (`POST .../contact`)")
    contact_email: str | None = Field(default=None,
                                      description="The email the shopper left on it, if any")


class TurnOut(BaseModel):
    message_id: int = Field(description="Id of the shopper message this turn answered")
    reply_message_id: int | None = Field(
        default=None, description="Id of the assistant's reply message (None when a person "
                                  "owns the conversation and the assistant stayed silent)")
    reply: ReplyOut
    route: Literal["assistant", "human"]
    intent: str
    handoff: HandoffRef | None = None


class TranscriptMessage(BaseModel):
    id: int
    role: str
    text: str
    client_message_id: str | None = Field(
        default=None, description="The widget's idempotency key, on shopper messages")
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
    needed_person: bool | None = Field(
        default=None, description="Did this need a person? (labelled data for `tandem retrain`)")
    last_answer_right: bool | None = Field(
        default=None, description="Was the assistant's last answer right? (omit if none)")


class Health(BaseModel):
    status: Literal["ok", "starting", "degraded"]
    database: Literal["ok", "error"]
    model: Literal["ready", "loading", "failed"]
    provider: str
    generations: dict[str, Any] | None = None
    """Counters of the bound on concurrent model generations (None when unbounded): totals,
    and `by_priority` (`shopper`, `background`) with each priority's own counters."""
    replies: dict[str, Any] | None = None
    """Model replies kept, and replaced by the template because they stated what the facts
    did not or left out the fact the turn was about (agent/reply_check.py)."""


_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254,
                       description="Where a person from the team can write back")

    @field_validator("email")
    @classmethod
    def _looks_like_an_email(cls, value: str) -> str:
        value = value.strip().lower()
        if not _EMAIL.match(value):
            # A custom error keeps pydantic's "Value error, " prefix out of what the widget shows.
            raise PydanticCustomError(
                "email", "this does not look like an email address (name@example.com)")
        return value


class ContactOut(BaseModel):
    handoff_id: str
    email: str


class ShopperDataOut(BaseModel):
    """Everything held about the shopper (`GET /v1/me/data`)."""

    exported_at: datetime
    scope: Literal["conversation", "customer"]
    customer: dict[str, Any] | None = Field(description="The customer profile (signed in)")
    preferences: dict[str, Any] = Field(description="Preferences kept with personalisation on")
    orders: list[dict[str, Any]] = Field(description="Orders with their items (signed in)")
    fit_feedback: list[dict[str, Any]] = Field(
        default_factory=list, description="How items fit in the sizes bought, with height, "
                                          "weight and bust when given (signed in)")
    conversations: list[dict[str, Any]] = Field(
        description="Conversations with messages (and the evidence behind each suggestion), "
                    "consent history, handoffs with summaries and notes, contact emails")


class ErasureReceipt(BaseModel):
    """What `DELETE /v1/me/data` removed, and when."""

    erased_at: datetime
    scope: Literal["conversation", "customer"]
    conversations: int = Field(description="Conversations erased")
    checkpoint_threads: int = Field(description="Graph checkpoint threads deleted")
    deleted: dict[str, int] = Field(description="Rows deleted (or anonymised) per table")
