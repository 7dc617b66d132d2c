"""Tandem's own store format (JSON), documented in the README.

    {"locations": [{"id", "name", "kind", "region", "ship_days"}],
     "products": [{"id", "name", "category", "description", "tags", "season", "size_chart",
                   "variants": [{"id", "size", "color", "price", "stock": {"LOC": qty}}]}],
     "customers": [{"id", "email", "name", "postcode", "region"}],
     "orders": [{"id", "customer_id", "status", "created_at", "email", "postcode",
                 "carrier", "tracking_number", "expected_delivery",
                 "items": [{"variant_id", "quantity"}]}]}

The whole file is validated before anything is written; a malformed file is rejected with
the line and reason, and the write is one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.engine import Engine

from api.db import session_scope
from api.models import (
    ORDER_STATUSES,
    Customer,
    Location,
    Order,
    OrderItem,
    Product,
    StockLevel,
    Variant,
)


class ImportError_(ValueError):
    """The file cannot be imported; the message names the line and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationIn(_Strict):
    id: str = Field(min_length=1, max_length=32)
    name: str
    kind: Literal["store", "warehouse"] = "store"
    region: str
    ship_days: int = Field(default=3, ge=0)


class VariantIn(_Strict):
    id: str = Field(min_length=1, max_length=64)
    size: str | None = None
    color: str | None = None
    price: float | None = Field(default=None, ge=0)
    available: bool = True
    stock: dict[str, int] = Field(default_factory=dict)


class ProductIn(_Strict):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    category: str = Field(min_length=1)
    description: str = ""
    tags: str = ""
    season: Literal["winter", "summer", "all"] = "all"
    size_chart: dict[str, Any] | None = None
    variants: list[VariantIn] = Field(min_length=1)


class CustomerIn(_Strict):
    id: str = Field(min_length=1, max_length=64)
    email: str = Field(min_length=3)
    name: str = ""
    postcode: str = ""
    region: str = ""


class OrderItemIn(_Strict):
    variant_id: str
    quantity: int = Field(default=1, ge=1)


class OrderIn(_Strict):
    id: str = Field(min_length=1, max_length=32)
    customer_id: str
    status: Literal[ORDER_STATUSES]  # type: ignore[valid-type]
    created_at: datetime
    email: str
    postcode: str = ""
    carrier: str | None = None
    tracking_number: str | None = None
    expected_delivery: date | None = None
    items: list[OrderItemIn] = Field(min_length=1)


class StoreIn(_Strict):
    locations: list[LocationIn] = Field(default_factory=list)
    products: list[ProductIn] = Field(default_factory=list)
    customers: list[CustomerIn] = Field(default_factory=list)
    orders: list[OrderIn] = Field(default_factory=list)


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    written: bool = False

    def render(self) -> str:
        lines = ["Data-quality report:"]
        lines += [f"  - {p}" for p in self.problems] or ["  no problems found"]
        lines.append("Counts: " + ", ".join(f"{k}={v}" for k, v in self.counts.items()))
        lines.append("Written." if self.written else "Dry run: nothing written.")
        return "\n".join(lines)


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def parse_store(path: Path) -> StoreIn:
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportError_(f"{path} line {exc.lineno}: not valid JSON: {exc.msg}") from exc
    try:
        return StoreIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"]]
        item: Any = raw
        for part in first["loc"]:
            try:
                item = item[part]
            except (KeyError, IndexError, TypeError):
                break
        anchor = item.get("id") if isinstance(item, dict) else None
        line = _line_of(text, f'"{anchor}"') if anchor else 1
        raise ImportError_(f"{path} line {line}: {'.'.join(loc)}: {first['msg']}") from exc


def check_quality(store: StoreIn) -> list[str]:
    problems: list[str] = []
    emails: dict[str, str] = {}
    for customer in store.customers:
        key = customer.email.strip().lower()
        if key in emails:
            problems.append(f"customer {customer.id} duplicates {emails[key]} (same email)")
        emails[key] = customer.id
    variant_ids = {v.id for p in store.products for v in p.variants}
    for product in store.products:
        for variant in product.variants:
            if variant.price is None:
                problems.append(f"variant {variant.id} has no price (it will not be suggested)")
    for order in store.orders:
        for item in order.items:
            if item.variant_id not in variant_ids:
                problems.append(f"order {order.id} points at unknown item {item.variant_id}")
    return problems


def import_json_store(engine: Engine, path: Path, *, dry_run: bool = False) -> ImportReport:
    store = parse_store(path)
    report = ImportReport(problems=check_quality(store), counts={
        "locations": len(store.locations), "products": len(store.products),
        "variants": sum(len(p.variants) for p in store.products),
        "customers": len(store.customers), "orders": len(store.orders)})
    if dry_run:
        return report
    with session_scope(engine) as session:
        for loc in store.locations:
            session.merge(Location(**loc.model_dump()))
        for p in store.products:
            session.merge(Product(**p.model_dump(exclude={"variants"})))
        session.flush()
        for p in store.products:
            for v in p.variants:
                session.merge(Variant(
                    id=v.id, product_id=p.id, size=v.size, color=v.color,
                    options={k: x for k, x in (("size", v.size), ("color", v.color)) if x},
                    price_cents=round(v.price * 100) if v.price is not None else None,
                    available=v.available))
        session.flush()
        for p in store.products:
            for v in p.variants:
                for location_id, quantity in v.stock.items():
                    session.merge(StockLevel(variant_id=v.id, location_id=location_id,
                                             quantity=max(quantity, 0)))
        for c in store.customers:
            session.merge(Customer(**(c.model_dump() | {"email": c.email.strip().lower()})))
        session.flush()
        prices = {v.id: v.price for p in store.products for v in p.variants}
        names = {v.id: p.name for p in store.products for v in p.variants}
        for o in store.orders:
            known = [i for i in o.items if i.variant_id in prices]
            total = sum(round((prices[i.variant_id] or 0) * 100) * i.quantity for i in known)
            session.merge(Order(**o.model_dump(exclude={"items"}), total_cents=total))
            session.flush()
            for item in known:
                session.add(OrderItem(order_id=o.id, variant_id=item.variant_id,
                                      product_name=names[item.variant_id],
                                      quantity=item.quantity,
                                      price_cents=round((prices[item.variant_id] or 0) * 100)))
    report.written = True
    return report
