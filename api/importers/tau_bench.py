"""The tau-bench retail store (`products.json`, `users.json`, `orders.json` in one folder),
mapped onto `StoreData` with the store's own ids.

    products.json  {product_id: {"name", "product_id",
                                 "variants": {item_id: {"item_id", "options", "available",
                                                        "price"}}}}
    users.json     {user_id: {"name": {"first_name", "last_name"}, "address": {..., "zip"},
                              "email", "payment_methods", "orders"}}
    orders.json    {"#W...": {"order_id", "user_id", "address": {..., "zip"}, "items": [
                       {"name", "product_id", "item_id", "price", "options"}],
                     "fulfillments": [{"tracking_id": [...], "item_ids": [...]}],
                     "status", "payment_history"}}

What tau-bench does not hold is assumed, and said in the report's notes: it has an
`available` flag but no stock counts, no product categories, no order dates, no carriers.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.commerce.regions import region_for_postcode
from api.importers.records import (
    DEFAULT_LOCATION_ID,
    CustomerRecord,
    MalformedFile,
    OrderLine,
    OrderRecord,
    ProductRecord,
    StoreData,
    VariantRecord,
    default_location,
)

FILES = ("products.json", "users.json", "orders.json")
# tau-bench has only an `available` flag; each available item is given this many units at
# the one location, so it can be suggested.  Unavailable items get no stock at all.
ASSUMED_STOCK = 20
# tau-bench statuses (its policy also names the ones its tools set) onto ours.  An exchange
# sends the items back like a return does, so it reads as "marked for return".
STATUS_MAP = {
    "pending": "pending",
    "pending (item modified)": "pending",
    "pending (items modified)": "pending",
    "pending (items modifed)": "pending",  # sic: the spelling in tau-bench's policy
    "processed": "processed",
    "shipped": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "return requested": "return_requested",
    "exchange requested": "return_requested",
}
SIZE_OPTIONS = frozenset({"size"})
COLOR_OPTIONS = frozenset({"color", "colour"})


class _Tau(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TauVariant(_Tau):
    item_id: str = Field(min_length=1)
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)
    available: bool
    price: float = Field(ge=0)


class TauProduct(_Tau):
    name: str = Field(min_length=1)
    product_id: str = Field(min_length=1)
    variants: dict[str, TauVariant]


class TauAddress(_Tau):
    zip: str = ""


class TauName(_Tau):
    first_name: str = ""
    last_name: str = ""


class TauUser(_Tau):
    name: TauName
    address: TauAddress
    email: str = Field(min_length=3)


class TauOrderItem(_Tau):
    name: str
    item_id: str = Field(min_length=1)
    price: float = Field(ge=0)


class TauFulfillment(_Tau):
    tracking_id: list[str] = Field(default_factory=list)
    item_ids: list[str] = Field(default_factory=list)


class TauOrder(_Tau):
    order_id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)
    address: TauAddress
    items: list[TauOrderItem] = Field(min_length=1)
    fulfillments: list[TauFulfillment] = Field(default_factory=list)
    status: str


T = TypeVar("T", bound=BaseModel)


def _records(path: Path, model: type[T]) -> dict[str, tuple[T, int]]:
    """Each record of a tau-bench file, validated, with the line its key is on."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise MalformedFile(path, 1, "missing: a tau-bench store needs "
                            + ", ".join(FILES)) from exc
    except UnicodeDecodeError as exc:
        raise MalformedFile(path, 1, f"not UTF-8 text ({exc.reason})") from exc
    try:
        raw: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedFile(path, exc.lineno, f"not valid JSON: {exc.msg}",
                            column=exc.colno) from exc
    if not isinstance(raw, dict):
        raise MalformedFile(path, 1, "expected a JSON object keyed by id")
    records: dict[str, tuple[T, int]] = {}
    position, line = 0, 1
    for key, value in raw.items():
        # Keys come in file order, so each search starts where the last one ended: one pass
        # over the text, not one per record.
        found = text.find(json.dumps(key) + ":", position)
        if found >= 0:
            line += text.count("\n", position, found)
            position = found
        try:
            records[key] = (model.model_validate(value), line)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "record"
            raise MalformedFile(path, line, f"{key}: {where}: {first['msg']}") from exc
    return records


def _option_text(value: str | int | float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _product(product: TauProduct, line: int, location: str) -> ProductRecord:
    values: dict[str, list[str]] = {}
    variants: list[VariantRecord] = []
    for variant in product.variants.values():
        options = {k: _option_text(v) for k, v in variant.options.items()}
        for name, value in options.items():
            values.setdefault(name, [])
            if value not in values[name]:
                values[name].append(value)
        variants.append(VariantRecord(
            id=variant.item_id, product_id=product.product_id,
            size=next((v for k, v in options.items() if k.lower() in SIZE_OPTIONS), None),
            color=next((v for k, v in options.items() if k.lower() in COLOR_OPTIONS), None),
            options=options, price_cents=round(variant.price * 100),
            available=variant.available,
            stock={location: ASSUMED_STOCK} if variant.available else {},
            source=f"products.json line {line}"))
    # tau-bench products have no category or description: the name is the product type,
    # and the option values make the searchable text.
    summary = "; ".join(f"{name} {', '.join(sorted(vals))}" for name, vals in values.items())
    words = sorted({w for vals in values.values() for v in vals for w in v.lower().split()})
    return ProductRecord(id=product.product_id, name=product.name, category=product.name,
                         description=f"{product.name}: {summary}." if summary else "",
                         tags=" ".join(words), variants=variants,
                         source=f"products.json line {line}")


def load_tau_store(directory: Path, *, location_id: str | None = None,
                   now: datetime | None = None) -> StoreData:
    """Parse and map a tau-bench retail folder; nothing is written."""
    store = StoreData(format="tau", path=directory)
    if location_id is None:
        store.locations.append(default_location())
    location = location_id or DEFAULT_LOCATION_ID
    products = _records(directory / "products.json", TauProduct)
    users = _records(directory / "users.json", TauUser)
    orders = _records(directory / "orders.json", TauOrder)
    store.products = [_product(p, line, location) for p, line in products.values()]
    store.customers = [CustomerRecord(
        id=key, email=user.email.strip().lower(),
        name=f"{user.name.first_name} {user.name.last_name}".strip(),
        postcode=user.address.zip, region=region_for_postcode(user.address.zip),
        source=f"users.json line {line}") for key, (user, line) in users.items()]

    placed = now or datetime.now(UTC)
    orders_path = directory / "orders.json"
    for order, line in orders.values():
        status = STATUS_MAP.get(order.status.strip().lower())
        if status is None:
            raise MalformedFile(orders_path, line, f"{order.order_id}: unknown status "
                                f"{order.status!r} (known: {', '.join(STATUS_MAP)})")
        quantities = Counter(item.item_id for item in order.items)
        first = {item.item_id: item for item in reversed(order.items)}
        tracking = [t for f in order.fulfillments for t in f.tracking_id]
        user = users.get(order.user_id)
        store.orders.append(OrderRecord(
            id=order.order_id, customer_id=order.user_id, status=status, created_at=placed,
            email=user[0].email.strip().lower() if user else "",
            postcode=order.address.zip or (user[0].address.zip if user else ""),
            tracking_number=", ".join(tracking) or None,
            items=[OrderLine(variant_id=item_id, quantity=n, product_name=first[item_id].name,
                             price_cents=round(first[item_id].price * 100))
                   for item_id, n in quantities.items()],
            source=f"orders.json line {line}"))
    repeated = sum(1 for o in store.orders if any(i.quantity > 1 for i in o.items))
    moved = sum(1 for o in store.orders if (u := users.get(o.customer_id))
                and u[0].address.zip != o.postcode)
    store.notes += [
        f"tau-bench has no stock counts: each available item gets {ASSUMED_STOCK} units at "
        f"location {location}; the {store.counts()['unavailable_variants']} unavailable items "
        "get none and are never suggested",
        "tau-bench has no categories: each product's name is its category",
        f"tau-bench orders have no dates: created_at is the import time ({placed:%Y-%m-%d})",
        "tau-bench orders name no carrier: tracking ids are imported without one",
        f"{repeated} orders list the same item more than once: imported as one line with "
        "that quantity",
        f"{moved} orders ship to a postcode other than the customer's current address: the "
        "order's own postcode is kept (a shopper can prove ownership with it)",
    ]
    return store
