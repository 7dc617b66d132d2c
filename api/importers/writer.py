"""The normalised store every importer hands over, and the one-transaction writer.

Importers (Tandem JSON, Shopify CSV, tau-bench) only parse and map; the quality report
(`quality.py`) and the write (`write_store`) see the same in-memory `StoreData`, so every
format gets the same checks and the same merge-by-id semantics:

* a row whose id already exists in the database is updated in place, a new id is added;
* an imported order's items replace that order's items;
* stock given for a (variant, location) replaces that level; a variant the store marks as
  not available loses all its stock, so it can never be suggested.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, delete, select

from agent.commerce.semantic import index_products
from api.db import session_scope
from domain.tables import Customer, Location, Order, OrderItem, Product, StockLevel, Variant

DEFAULT_LOCATION_ID = "ONLINE"
DEFAULT_LOCATION_NAME = "Online warehouse"
_CHUNK = 500  # ids per IN (...) query: well under SQLite's and PostgreSQL's parameter caps


class MalformedFile(ValueError):
    """The file cannot be imported; the message names the file, line (column) and reason."""

    def __init__(self, path: Path | str, line: int, reason: str, *,
                 column: int | None = None, column_name: str | None = None) -> None:
        where = f"{path} line {line}"
        if column is not None:
            where += f", column {column}" + (f" ({column_name})" if column_name else "")
        super().__init__(f"{where}: {reason}")
        self.line, self.column, self.reason = line, column, reason


def line_of_key(text: str, key: str) -> int:
    """The line where `"key":` first appears in a JSON text (1 when it does not)."""
    index = text.find(json.dumps(key) + ":")
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


@dataclass
class LocationRecord:
    id: str
    name: str
    kind: str = "warehouse"
    region: str = "US"
    ship_days: int = 3


@dataclass
class VariantRecord:
    id: str
    product_id: str
    size: str | None = None
    color: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    price_cents: int | None = None
    available: bool = True
    stock: dict[str, int] = field(default_factory=dict)
    source: str = ""  # where it came from ("line 12"), for the quality report


@dataclass
class ProductRecord:
    id: str
    name: str
    category: str
    description: str = ""
    tags: str = ""
    season: str = "all"
    size_chart: dict[str, Any] | None = None
    variants: list[VariantRecord] = field(default_factory=list)
    source: str = ""


@dataclass
class CustomerRecord:
    id: str
    email: str
    name: str = ""
    postcode: str = ""
    region: str = ""
    source: str = ""


@dataclass
class OrderLine:
    variant_id: str
    quantity: int = 1
    product_name: str | None = None  # None: taken from the catalogue
    price_cents: int | None = None  # what was paid; None: the variant's price


@dataclass
class OrderRecord:
    id: str
    customer_id: str
    status: str
    created_at: datetime
    email: str
    postcode: str = ""
    carrier: str | None = None
    tracking_number: str | None = None
    expected_delivery: date | None = None
    items: list[OrderLine] = field(default_factory=list)
    source: str = ""


@dataclass
class StoreData:
    """A whole store, parsed and mapped onto Tandem's tables but not yet written."""

    format: str
    path: Path
    locations: list[LocationRecord] = field(default_factory=list)
    products: list[ProductRecord] = field(default_factory=list)
    customers: list[CustomerRecord] = field(default_factory=list)
    orders: list[OrderRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # importer findings and assumptions

    def variants(self) -> Iterable[VariantRecord]:
        return (v for p in self.products for v in p.variants)

    def counts(self) -> dict[str, int]:
        variants = list(self.variants())
        return {
            "locations": len(self.locations), "products": len(self.products),
            "variants": len(variants),
            "unavailable_variants": sum(not v.available for v in variants),
            "stock_levels": sum(len(v.stock) for v in variants),
            "customers": len(self.customers), "orders": len(self.orders),
            "order_items": sum(len(o.items) for o in self.orders),
        }

    def orders_by_status(self) -> dict[str, int]:
        return dict(Counter(o.status for o in self.orders).most_common())


def default_location() -> LocationRecord:
    return LocationRecord(id=DEFAULT_LOCATION_ID, name=DEFAULT_LOCATION_NAME)


@dataclass(frozen=True)
class WriteResult:
    """Rows added and updated per table (updated: the id was already in the database)."""

    added: dict[str, int]
    updated: dict[str, int]

    def render(self) -> str:
        return "Written: " + ", ".join(
            f"{table} {self.added[table]} added / {self.updated[table]} updated"
            for table in self.added)


M = TypeVar("M", bound=SQLModel)


def _existing(session: Session, model: type[M], ids: Sequence[str]) -> dict[str, M]:
    found: dict[str, M] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start:start + _CHUNK])
        for row in session.exec(select(model).where(col(model.id).in_(chunk))).all():  # type: ignore[attr-defined]
            found[row.id] = row  # type: ignore[attr-defined]
    return found


def _upsert(session: Session, model: type[M], rows: Sequence[dict[str, Any]],
            table: str, result: WriteResult) -> None:
    """Add new ids, update existing ones in place; one SELECT per chunk, not per row."""
    existing = _existing(session, model, [r["id"] for r in rows])
    added = updated = 0
    for values in rows:
        row = existing.get(values["id"])
        if row is None:
            row = model(**values)
            session.add(row)
            existing[values["id"]] = row  # a duplicate id later in the file updates it
            added += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            updated += 1
    session.flush()  # parents before children: the tables have foreign keys, no relationships
    result.added[table], result.updated[table] = added, updated


def _write_stock(session: Session, store: StoreData, result: WriteResult) -> None:
    variants = list(store.variants())
    ids = [v.id for v in variants]
    levels: dict[tuple[str, str], StockLevel] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for level in session.exec(select(StockLevel)
                                  .where(col(StockLevel.variant_id).in_(chunk))).all():
            levels[(level.variant_id, level.location_id)] = level
    unavailable = {v.id for v in variants if not v.available}
    added = updated = 0
    for (variant_id, _location), level in levels.items():
        if variant_id in unavailable and level.quantity:
            level.quantity, updated = 0, updated + 1
    for variant in variants:
        wanted = variant.stock if variant.available else {}
        for location_id, quantity in wanted.items():
            known = levels.get((variant.id, location_id))
            if known is None:
                known = StockLevel(variant_id=variant.id, location_id=location_id,
                                   quantity=max(quantity, 0))
                session.add(known)
                levels[(variant.id, location_id)] = known
                added += 1
            else:
                known.quantity, updated = max(quantity, 0), updated + 1
    session.flush()
    result.added["stock_levels"], result.updated["stock_levels"] = added, updated


def _write_orders(session: Session, store: StoreData, result: WriteResult) -> None:
    catalogue = {v.id: (p.name, v.price_cents) for p in store.products for v in p.variants}
    wanted = {line.variant_id for o in store.orders for line in o.items} - catalogue.keys()
    for start in range(0, len(ids := sorted(wanted)), _CHUNK):
        # Items already in the database (an earlier import) keep their names and prices.
        rows = session.exec(select(Variant, Product)
                            .join(Product, col(Product.id) == col(Variant.product_id))
                            .where(col(Variant.id).in_(ids[start:start + _CHUNK]))).all()
        catalogue |= {v.id: (p.name, v.price_cents) for v, p in rows}

    lines: list[OrderItem] = []
    orders: list[dict[str, Any]] = []
    for order in store.orders:
        total = 0
        for line in order.items:
            name, price = catalogue.get(line.variant_id, (None, None))
            paid = line.price_cents if line.price_cents is not None else (price or 0)
            total += paid * line.quantity
            lines.append(OrderItem(order_id=order.id, variant_id=line.variant_id,
                                   product_name=line.product_name or name
                                   or f"item {line.variant_id}",
                                   quantity=line.quantity, price_cents=paid))
        values = {k: getattr(order, k) for k in (
            "id", "customer_id", "status", "created_at", "email", "postcode", "carrier",
            "tracking_number", "expected_delivery")}
        orders.append(values | {"email": order.email.strip().lower(), "total_cents": total})
    _upsert(session, Order, orders, "orders", result)
    order_ids = [o.id for o in store.orders]
    for start in range(0, len(order_ids), _CHUNK):
        # Re-importing an order replaces its items instead of doubling them.
        session.exec(delete(OrderItem).where(  # type: ignore[call-overload]
            col(OrderItem.order_id).in_(order_ids[start:start + _CHUNK])))
    session.add_all(lines)
    session.flush()
    result.added["order_items"], result.updated["order_items"] = len(lines), 0


def write_store(engine: Engine, store: StoreData) -> WriteResult:
    """Write everything in one transaction: any failure rolls all of it back."""
    result = WriteResult(added={}, updated={})
    with session_scope(engine) as session:
        _upsert(session, Location, [vars(loc).copy() for loc in store.locations],
                "locations", result)
        _upsert(session, Product, [
            {k: v for k, v in vars(p).items() if k not in ("variants", "source")}
            for p in store.products], "products", result)
        session.flush()
        # Semantic search needs each new or edited product's vector (agent/commerce/semantic.py).
        index_products(session)
        _upsert(session, Variant, [
            {k: v for k, v in vars(x).items() if k not in ("stock", "source")}
            for x in store.variants()], "variants", result)
        _write_stock(session, store, result)
        _upsert(session, Customer, [
            {k: v for k, v in vars(c).items() if k != "source"} | {
                "email": c.email.strip().lower()} for c in store.customers],
            "customers", result)
        _write_orders(session, store, result)
    return result
