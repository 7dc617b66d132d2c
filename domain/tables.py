"""The commerce domain's tables (SQLModel): catalogue, stock, customers, orders, and what the
assistant learns about a shopper's fit.  The bottom layer: it imports nothing of Tandem's.

Money is stored as integer cents.  Ids of catalogue, customer and order rows are the
store's own ids where it has stable ones (a Shopify handle, a tau-bench item id,
`#W0000001`), so a retailer can match every answer to its own systems; a Shopify variant,
which an export names only by its product and option values, gets an id derived from them
(`api/importers/variant_ids.py`) and keeps its SKU in `Variant.sku`.  The tables the web
app owns (conversations, handoffs, agents) live in `api/models.py`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


InventoryMode = Literal["tracked", "untracked", "continue"]
"""How the store counts a variant's stock: `tracked` sells what the stock levels hold;
`untracked` keeps no count and always sells (Shopify's empty inventory tracker);
`continue` keeps a count but sells on when it runs out (Shopify's "continue selling when
out of stock").  Only `tracked` stock can say how many are left."""
INVENTORY_MODES: tuple[InventoryMode, ...] = ("tracked", "untracked", "continue")

ORDER_STATUSES = (
    "pending",
    "processed",
    "shipped",
    "delivered",
    "cancelled",
    "return_requested",
)


class Product(SQLModel, table=True):
    # 255: Shopify's own limit for handles and titles; an id is the store's handle.
    id: str = Field(primary_key=True, max_length=255)
    name: str = Field(index=True, max_length=255)
    category: str = Field(index=True, max_length=255)
    description: str = ""
    tags: str = Field(default="", description="space-separated search keywords")
    season: str = Field(default="all", max_length=16, description="winter, summer or all")
    size_chart: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    for_sale: bool = Field(default=True, description="false for a draft or archived product: "
                                                     "kept, never offered")


class ProductVector(SQLModel, table=True):
    """A product's text embedding for semantic search, kept with the hash of the text it
    was computed from so an edited product is re-embedded (agent/commerce/semantic.py)."""

    __tablename__ = "product_vector"

    product_id: str = Field(primary_key=True, max_length=255)
    model: str = Field(max_length=64)
    text_sha: str = Field(max_length=64)
    vector: bytes = Field(description="float16, L2-normalised")


class CatalogueVersion(SQLModel, table=True):
    """One row whose number goes up with every change to products, variants or their
    search vectors (domain/catalogue_version.py): each process keeps the catalogue it
    searches in memory and re-reads it only when the number has moved."""

    __tablename__ = "catalogue_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0)


class Variant(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    product_id: str = Field(foreign_key="product.id", index=True)
    sku: str | None = Field(default=None, index=True, max_length=255,
                            description="the store's SKU: searchable, not unique (stores "
                                        "share one SKU across sizes or products)")
    size: str | None = Field(default=None, max_length=64)
    color: str | None = Field(default=None, max_length=128)
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    price_cents: int | None = Field(default=None, ge=0)
    available: bool = Field(default=True, description="the store's own sellable flag")
    inventory: str = Field(default="tracked", max_length=16,
                           description="tracked, untracked or continue (InventoryMode)")


class Location(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=255)
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
    product_name: str = Field(max_length=255)
    quantity: int = Field(default=1, ge=1)
    price_cents: int = Field(default=0, ge=0)


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
    item_id: str = Field(index=True, max_length=255, description="the product id")
    size: str = Field(max_length=16, description="the size bought")
    fit: str = Field(max_length=8, description="small, fit or large")
    height_in: float | None = Field(default=None, gt=0)
    weight_lbs: float | None = Field(default=None, gt=0)
    bust_in: float | None = Field(default=None, gt=0, description="bust or chest, inches")
    created_at: datetime = Field(default_factory=utcnow)


class FailureCount(SQLModel, table=True):
    """Failed attempts at a secret (an order's proof, an agent's password), counted per key
    in the database, so a new conversation, another API worker or a restart starts from the
    same count (domain/throttle.py).  Keys hold no personal data in the clear: client keys
    are keyed hashes of the IP address."""

    __tablename__ = "failure_count"

    key: str = Field(primary_key=True, max_length=160)
    failures: int = Field(default=0, ge=0)
    last_failure_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
