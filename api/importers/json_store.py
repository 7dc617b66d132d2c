"""Tandem's own store format (JSON), documented in docs/importing.md.

    {"locations": [{"id", "name", "kind", "region", "ship_days"}],
     "products": [{"id", "name", "category", "description", "tags", "season", "size_chart",
                   "variants": [{"id", "sku", "size", "color", "price", "available",
                                 "inventory", "stock": {"LOC": qty}}]}],
     "customers": [{"id", "email", "name", "postcode", "region"}],
     "orders": [{"id", "customer_id", "status", "created_at", "email", "postcode",
                 "carrier", "tracking_number", "expected_delivery",
                 "items": [{"variant_id", "quantity"}]}]}

The whole file is validated (pydantic, unknown keys refused) and mapped onto `StoreData`;
a malformed file is rejected with the line and reason before anything is written.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.importers.records import (
    CustomerRecord,
    LocationRecord,
    MalformedFile,
    OrderLine,
    OrderRecord,
    ProductRecord,
    StoreData,
    VariantRecord,
)
from domain.tables import ORDER_STATUSES, InventoryMode


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
    sku: str | None = None
    size: str | None = None
    color: str | None = None
    price: float | None = Field(default=None, ge=0)
    available: bool = True
    inventory: InventoryMode = "tracked"
    stock: dict[str, int] = Field(default_factory=dict)


class ProductIn(_Strict):
    id: str = Field(min_length=1, max_length=255)
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


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def parse_store(path: Path) -> StoreIn:
    """The file validated against the format; `MalformedFile` names the line and reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedFile(path, 1, f"not UTF-8 text ({exc.reason})") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedFile(path, exc.lineno, f"not valid JSON: {exc.msg}",
                            column=exc.colno) from exc
    try:
        return StoreIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"]]
        # The innermost record on the error's path that has an id anchors the line number.
        item: Any = raw
        anchor: str | None = None
        for part in first["loc"]:
            try:
                item = item[part]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                anchor = item["id"]
        line = _line_of(text, json.dumps(anchor)) if anchor else 1
        raise MalformedFile(path, line, f"{'.'.join(loc)}: {first['msg']}") from exc


def _cents(price: float | None) -> int | None:
    return round(price * 100) if price is not None else None


def load_json_store(path: Path) -> StoreData:
    """Parse and map a Tandem JSON store file; nothing is written."""
    store = parse_store(path)
    data = StoreData(format="json", path=path)
    data.locations = [LocationRecord(**loc.model_dump()) for loc in store.locations]
    for p in store.products:
        product = ProductRecord(**p.model_dump(exclude={"variants"}),
                                source=f"product {p.id}")
        product.variants = [VariantRecord(
            id=v.id, product_id=p.id, sku=v.sku, size=v.size, color=v.color,
            options={k: x for k, x in (("size", v.size), ("color", v.color)) if x},
            price_cents=_cents(v.price), available=v.available, inventory=v.inventory,
            stock=dict(v.stock))
            for v in p.variants]
        data.products.append(product)
    data.customers = [CustomerRecord(**c.model_dump()) for c in store.customers]
    data.orders = [OrderRecord(**o.model_dump(exclude={"items"}), items=[
        OrderLine(variant_id=i.variant_id, quantity=i.quantity) for i in o.items])
        for o in store.orders]
    return data
