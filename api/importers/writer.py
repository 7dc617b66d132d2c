"""The one-transaction writer of a `StoreData` (`records.py`), with merge-by-id semantics:

* a row whose id already exists in the database is updated in place (counted as updated
  only when a value changed), a new id is added; nothing is deleted;
* an imported order's items replace that order's items;
* stock given for a (variant, location) replaces that level; a variant the store marks as
  not available loses all its stock, so it can never be suggested;
* a variant of an imported product that the file no longer lists is retired: marked not
  available, its stock set to 0, its row kept for the orders that name it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, delete, select

from agent.commerce.semantic import index_products
from api.db import session_scope
from api.importers.records import StoreData
from domain.tables import Customer, Location, Order, OrderItem, Product, StockLevel, Variant

_CHUNK = 500  # ids per IN (...) query: well under SQLite's and PostgreSQL's parameter caps


@dataclass(frozen=True)
class WriteResult:
    """Rows added, updated (a value changed) and unchanged per table."""

    added: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int] = field(default_factory=dict)
    retired_variants: int = 0

    def render(self) -> str:
        text = "Written: " + ", ".join(
            f"{table} {self.added[table]} added / {self.updated[table]} updated"
            + (f" / {self.unchanged[table]} unchanged" if self.unchanged.get(table) else "")
            for table in self.added)
        if self.retired_variants:
            text += (f"; {self.retired_variants} variants no longer in the file retired "
                     "(not available, kept for order history)")
        return text


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
    added = updated = unchanged = 0
    for values in rows:
        row = existing.get(values["id"])
        if row is None:
            row = model(**values)
            session.add(row)
            existing[values["id"]] = row  # a duplicate id later in the file updates it
            added += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            updated += 1
        else:
            unchanged += 1
    session.flush()  # parents before children: the tables have foreign keys, no relationships
    result.added[table], result.updated[table] = added, updated
    result.unchanged[table] = unchanged


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
    added = updated = unchanged = 0
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
            elif known.quantity != max(quantity, 0):
                known.quantity, updated = max(quantity, 0), updated + 1
            else:
                unchanged += 1
    session.flush()
    result.added["stock_levels"], result.updated["stock_levels"] = added, updated
    result.unchanged["stock_levels"] = unchanged


def retired_variants(session: Session, store: StoreData) -> list[Variant]:
    """Variants in the database of the products this store lists, that it no longer lists
    and that are still for sale: a newer export dropped them (or, as in Shopify, changed
    their option values, which makes a new variant)."""
    listed = {v.id for v in store.variants()}
    product_ids = [p.id for p in store.products]
    found: list[Variant] = []
    for start in range(0, len(product_ids), _CHUNK):
        found += [v for v in session.exec(select(Variant).where(
            col(Variant.product_id).in_(product_ids[start:start + _CHUNK]))).all()
            if v.id not in listed and v.available]
    return found


def _retire(session: Session, store: StoreData) -> int:
    gone = retired_variants(session, store)
    ids = [v.id for v in gone]
    for variant in gone:
        variant.available = False
    for start in range(0, len(ids), _CHUNK):
        for level in session.exec(select(StockLevel).where(
                col(StockLevel.variant_id).in_(ids[start:start + _CHUNK]))).all():
            level.quantity = 0
    session.flush()
    return len(gone)


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
        retired = _retire(session, store)
        _upsert(session, Customer, [
            {k: v for k, v in vars(c).items() if k != "source"} | {
                "email": c.email.strip().lower()} for c in store.customers],
            "customers", result)
        _write_orders(session, store, result)
    return WriteResult(added=result.added, updated=result.updated,
                       unchanged=result.unchanged, retired_variants=retired)
