"""Database tables (SQLModel).  What the API returns lives in `api/schemas.py`, never a row.

Money is stored as integer cents.  Ids of catalogue, customer and order rows are the
store's own ids (a SKU, a tau-bench item id, `#W0000001`), so a retailer can match every
answer to its own systems.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


ORDER_STATUSES = (
    "pending",
    "processed",
    "shipped",
    "delivered",
    "cancelled",
    "return_requested",
)


class Product(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(index=True, max_length=200)
    category: str = Field(index=True, max_length=80)
    description: str = ""
    tags: str = Field(default="", description="space-separated search keywords")
    season: str = Field(default="all", max_length=16, description="winter, summer or all")
    size_chart: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class ProductVector(SQLModel, table=True):
    """A product's text embedding for semantic search, kept with the hash of the text it
    was computed from so an edited product is re-embedded (agent/commerce/semantic.py)."""

    __tablename__ = "product_vector"

    product_id: str = Field(primary_key=True, max_length=64)
    model: str = Field(max_length=64)
    text_sha: str = Field(max_length=64)
    vector: bytes = Field(description="float16, L2-normalised")


class Variant(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    product_id: str = Field(foreign_key="product.id", index=True)
    size: str | None = Field(default=None, max_length=16)
    color: str | None = Field(default=None, max_length=40)
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    price_cents: int | None = Field(default=None, ge=0)
    available: bool = Field(default=True, description="the store's own sellable flag")


class Location(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=80)
    kind: str = Field(default="store", max_length=16, description="store or warehouse")
    region: str = Field(max_length=32)
    ship_days: int = Field(default=3, ge=0, description="days to reach a shopper in its region")


class StockLevel(SQLModel, table=True):
    variant_id: str = Field(foreign_key="variant.id", primary_key=True)
    location_id: str = Field(foreign_key="location.id", primary_key=True)
    quantity: int = Field(default=0, ge=0)


class Customer(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    email: str = Field(index=True, max_length=200, description="lower-cased, trimmed")
    name: str = Field(default="", max_length=120)
    postcode: str = Field(default="", max_length=16)
    region: str = Field(default="", max_length=32)


class Order(SQLModel, table=True):
    __tablename__ = "shop_order"

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    status: str = Field(index=True, max_length=24)
    created_at: datetime = Field(default_factory=utcnow)
    email: str = Field(max_length=200, description="the email the order was placed with")
    postcode: str = Field(default="", max_length=16, description="shipping postcode")
    carrier: str | None = Field(default=None, max_length=40)
    tracking_number: str | None = Field(default=None, max_length=64)
    expected_delivery: date | None = None
    total_cents: int = Field(default=0, ge=0)


class OrderItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="shop_order.id", index=True)
    variant_id: str = Field(max_length=64)
    product_name: str = Field(max_length=200)
    quantity: int = Field(default=1, ge=1)
    price_cents: int = Field(default=0, ge=0)


class Conversation(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=36)
    token_hash: str = Field(max_length=64, description="sha256 of the shopper's bearer token")
    customer_id: str | None = Field(default=None, index=True)
    personalization: bool = True
    mode: str = Field(default="assistant", max_length=16, description="assistant or human")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


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
    created_at: datetime = Field(default_factory=utcnow)


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


class ShopperProfile(SQLModel, table=True):
    """Preferences inferred for a signed-in customer (only with personalisation on)."""

    # No foreign key, like Conversation.customer_id: rebuilding or re-importing the store
    # replaces customer rows, and that must not fail on (or silently drop) preferences.
    customer_id: str = Field(primary_key=True, max_length=64)
    sizes: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON),
                                  description="the size the shopper asked for, per category")
    updated_at: datetime = Field(default_factory=utcnow)


class FitFeedback(SQLModel, table=True):
    """How an item fit a customer in the size they bought, from returns and reviews.

    `customer_id` and `item_id` (a product id) are the store's own ids and deliberately not
    foreign keys: feedback exports often arrive before, or without, the matching rows.
    """

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(index=True, max_length=64)
    item_id: str = Field(index=True, max_length=64, description="the product id")
    size: str = Field(max_length=16, description="the size bought")
    fit: str = Field(max_length=8, description="small, fit or large")
    height_in: float | None = Field(default=None, gt=0)
    weight_lbs: float | None = Field(default=None, gt=0)
    bust_in: float | None = Field(default=None, gt=0, description="bust or chest, inches")
    created_at: datetime = Field(default_factory=utcnow)
