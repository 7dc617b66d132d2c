"""The tables the web app owns (SQLModel): conversations, messages, handoffs, agents, consent.
The commerce domain's tables (catalogue, stock, orders) are in `domain/tables.py`; what the
API returns lives in `api/schemas.py`, never a row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.tables import utcnow


class Conversation(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=36)
    token_hash: str = Field(max_length=64, description="sha256 of the shopper's bearer token")
    customer_id: str | None = Field(default=None, index=True)
    personalization: bool = True
    mode: str = Field(default="assistant", max_length=16, description="assistant or human")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = Field(
        default=None, description="When the token stops opening it: its lifetime, or the "
                                  "sign-in's expiry for a signed-in shopper; None: ended")


class Message(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("conversation_id", "client_message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    role: str = Field(max_length=16, description="shopper, assistant, agent or system")
    text: str
    client_message_id: str | None = Field(default=None, max_length=64)
    reply_to: int | None = Field(default=None, description="the shopper message answered")
    intent: str | None = Field(default=None, max_length=32)
    route: str | None = Field(default=None, max_length=16)
    suggestions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    author: str | None = Field(default=None, max_length=80, description="agent display name")
    created_at: datetime = Field(default_factory=utcnow)


class Handoff(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=36)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    status: str = Field(default="open", index=True, max_length=16)
    priority: int = Field(default=2, description="1 is most urgent")
    rule: str = Field(max_length=64, description="the escalation policy rule that fired")
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    mood: str = Field(default="neutral", max_length=24)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    agent_id: int | None = Field(default=None, foreign_key="supportagent.id")
    resolution: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    closed_at: datetime | None = None


class ConsentEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    personalization: bool
    source: str = Field(max_length=32, description="api, widget, default")
    created_at: datetime = Field(default_factory=utcnow)


class SupportAgent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(max_length=80)
    password_hash: str = Field(max_length=256)
    is_admin: bool = False
    is_demo: bool = Field(default=False, description="the laptop demo's agent: disabled "
                                                     "outside development")
    disabled_at: datetime | None = Field(default=None, description="set: cannot sign in")
    created_at: datetime = Field(default_factory=utcnow)


class AgentSession(SQLModel, table=True):
    """A signed-in agent (a console cookie or an agent API bearer token), held server-side
    so signing out, changing the password or disabling the account ends it at once.  Only
    the token's SHA-256 is stored; `id` is a second random value that binds CSRF tokens."""

    __tablename__ = "agent_session"

    id: str = Field(primary_key=True, max_length=32)
    token_hash: str = Field(unique=True, max_length=64)
    agent_id: int = Field(foreign_key="supportagent.id", index=True)
    kind: str = Field(max_length=8, description="console or api")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(description="absolute end, whatever the activity")
    ended_at: datetime | None = Field(default=None, description="signed out or revoked")


class HandoffNote(SQLModel, table=True):
    """An internal note on a handoff: seen by the support team only, never by the shopper."""

    id: int | None = Field(default=None, primary_key=True)
    handoff_id: str = Field(foreign_key="handoff.id", index=True)
    agent_id: int = Field(foreign_key="supportagent.id")
    text: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class AnswerFlag(SQLModel, table=True):
    """An agent's verdict that an assistant answer was wrong or unhelpful, for prompt work."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    agent_id: int = Field(foreign_key="supportagent.id")
    kind: str = Field(max_length=16, description="wrong or unhelpful")
    reason: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AgentActivity(SQLModel, table=True):
    """When each agent was last active in the console: "online" means recently."""

    agent_id: int = Field(foreign_key="supportagent.id", primary_key=True)
    last_seen_at: datetime = Field(default_factory=utcnow, index=True)


class ShopperContact(SQLModel, table=True):
    """An email the shopper left so a person can write back when nobody is online."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    handoff_id: str | None = Field(default=None, foreign_key="handoff.id", index=True)
    email: str = Field(max_length=254, description="lower-cased, trimmed")
    created_at: datetime = Field(default_factory=utcnow)



class Turn(SQLModel, table=True):
    """Where the answer to one shopper message stands, so no message is left without one.

    `pending` from the moment the message is stored until its reply commits (`answered`);
    `failed` when finishing it failed (a database error).  A pending or failed turn found by
    whoever next holds the conversation's lock was stranded (a crash, a shutdown, an error):
    it is answered again, from its checkpoint when the graph had already finished it.
    """

    message_id: int = Field(foreign_key="message.id", primary_key=True,
                            description="the shopper message this turn answers")
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    status: str = Field(default="pending", index=True, max_length=16,
                        description="pending, answered or failed")
    attempts: int = 1
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    error: str | None = Field(default=None, max_length=200)


class ConversationLease(SQLModel, table=True):
    """The per-conversation turn lock across processes: a row held until `expires_at`.

    The holder renews it while its turn runs; a worker that dies stops renewing and the
    lease lapses, so the conversation is never locked for longer than one lease.  No
    connection is held while the turn runs (a lock tied to a connection would need one per
    running turn).
    """

    conversation_id: str = Field(primary_key=True, max_length=36)
    owner: str = Field(max_length=64, description="process and turn holding it")
    expires_at: datetime


class Event(SQLModel, table=True):
    """One pushed event (a reply, an agent message, a handoff change), kept so a client that
    reconnects with `Last-Event-ID` gets what it missed; its id is the stream's sequence."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    audience: str = Field(max_length=16, index=True,
                          description="shopper (the conversation's stream) or console")
    kind: str = Field(max_length=24)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Job(SQLModel, table=True):
    """A background job on the embedded SQLite default (api/jobs/local.py): kept until done,
    so a restart picks up what was pending or running.  PostgreSQL uses procrastinate's
    own tables instead."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    args: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default="todo", index=True, max_length=16,
                        description="todo, doing or failed (done jobs are deleted)")
    attempts: int = 0
    run_after: datetime = Field(default_factory=utcnow, index=True)
    lease_until: datetime | None = Field(
        default=None, description="While `doing`: the process running it renews this; once "
                                  "it has passed, that process is gone and the job is todo again")
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


# Experiments against a control (api/experiments/).  Outcome events keep `conversation_id` as
# plain text (no foreign key): the storefront may name a conversation since erased, and the
# event is the retailer's record.  A conversation's visitor link points at the conversation,
# so erasing it (api/services/erasure.py follows foreign keys) erases the link too.
VISITOR_ID_MAX = 128


class Experiment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=63)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False),
                                       description="the validated definition, as started")
    status: str = Field(default="running", max_length=16, description="running or stopped")
    source: str = Field(default="api", max_length=500, description="the file, or api")
    started_at: datetime = Field(default_factory=utcnow)
    stopped_at: datetime | None = None


class Exposure(SQLModel, table=True):
    """A visitor shown a variant, recorded once (a second variant is a second row, which the
    report counts and excludes)."""

    __table_args__ = (UniqueConstraint("experiment_id", "visitor_id", "variant"),
                      Index("ix_exposure_experiment_visitor", "experiment_id", "visitor_id"))

    id: int | None = Field(default=None, primary_key=True)
    experiment_id: int = Field(foreign_key="experiment.id")
    visitor_id: str = Field(max_length=VISITOR_ID_MAX)
    variant: str = Field(max_length=63)
    first_seen_at: datetime = Field(default_factory=utcnow)


class ConversationVisitor(SQLModel, table=True):
    """The visitor a conversation belongs to, and the variants it was assigned when it
    started (carried so every turn knows them without hashing again)."""

    conversation_id: str = Field(foreign_key="conversation.id", primary_key=True,
                                 max_length=36)
    visitor_id: str = Field(max_length=VISITOR_ID_MAX, index=True)
    variants: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    """experiment name -> variant, for the experiments running when it started"""
    created_at: datetime = Field(default_factory=utcnow)


class OutcomeEvent(SQLModel, table=True):
    """What the shopper did on the store: add to cart, purchase, return, a CSAT answer."""

    __table_args__ = (Index("ix_outcomeevent_visitor_type_ts", "visitor_id", "type", "ts"),)

    event_id: str = Field(primary_key=True, max_length=128,
                          description="the storefront's id: a resend is ignored")
    type: str = Field(max_length=16)
    visitor_id: str = Field(max_length=VISITOR_ID_MAX)
    ts: datetime = Field(index=True)
    conversation_id: str | None = Field(default=None, max_length=36, index=True)
    value: float | None = None
    margin: float | None = None
    score: int | None = None
    suggestion: str | None = Field(default=None, max_length=128,
                                   description="the suggested variant or product carted")
    reason: str | None = Field(default=None, max_length=200)
    influenced: bool = Field(
        default=False, description="a purchase within 7 days after an add-to-cart from a "
                                   "suggestion card by the same visitor")
    received_at: datetime = Field(default_factory=utcnow)


class TurnStat(SQLModel, table=True):
    """What one turn of the graph came to, for `tandem monitor` (api/observability/):
    recorded by the turn observer, never read on the shopper's path."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    intent: str = Field(max_length=32)
    route: str = Field(max_length=16)
    handoff_rule: str | None = Field(default=None, max_length=64)
    reply: str = Field(max_length=16, description="model, template, fallback, busy, withdrawn "
                                                  "or unavailable: who wrote the reply")
    seconds: float = 0.0
    model_calls: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    generated_tokens: int = 0
    first_token_s: float | None = None
    suggestions: int = 0
    blocked_for_stock: int = 0


class HandoffVerdict(SQLModel, table=True):
    """The agent's one-click verdict when resolving a handoff: did it need a person, and was
    the assistant's last answer right?  Labelled data for `tandem retrain`."""

    id: int | None = Field(default=None, primary_key=True)
    handoff_id: str = Field(foreign_key="handoff.id", unique=True, max_length=36)
    agent_id: int = Field(foreign_key="supportagent.id")
    needed_person: bool
    last_answer_right: bool | None = Field(
        default=None, description="None: there was no assistant answer to judge")
    source: str = Field(default="console", max_length=16, description="console or api")
    created_at: datetime = Field(default_factory=utcnow, index=True)


class RetrainRun(SQLModel, table=True):
    """One `tandem retrain`: candidate and current scored on the same held-out data."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    adopted: bool
    reason: str = Field(max_length=500)
    verdicts: int = Field(default=0, description="agents' verdicts used as training data")
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    """guarded figure -> {"current": x, "candidate": y}"""
    model_dir: str | None = Field(default=None, max_length=500)
