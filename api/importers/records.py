"""The normalised store every importer hands over: `StoreData` and its records.

Importers (Tandem JSON, Shopify CSV, tau-bench) only parse and map into these; the quality
report (`quality.py`) and the write (`writer.py`) see the same in-memory `StoreData`, so
every format gets the same checks and the same merge-by-id semantics.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.tables import InventoryMode

DEFAULT_LOCATION_ID = "ONLINE"
DEFAULT_LOCATION_NAME = "Online warehouse"


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
    """Units per location; for an untracked variant, 0 at each location that sells it."""
    sku: str | None = None
    inventory: InventoryMode = "tracked"
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
    for_sale: bool = True
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


@dataclass(frozen=True)
class SkippedRow:
    """A row the importer left out, and why; the rest of the file still imports."""

    where: str  # "line 12"
    kind: str  # a short category the report counts by: "duplicate variant"
    reason: str  # the whole story, naming the value or the line it repeats


@dataclass(frozen=True)
class ReaderFinding:
    """Something a reader noticed that only its format can tell (rows of one product in
    two places, say); the quality report lists it as a warning."""

    check: str
    summary: str
    examples: list[str]


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
    skipped: list[SkippedRow] = field(default_factory=list)
    findings: list[ReaderFinding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    """For formats read row by row: "read", and what each row became ("variants",
    "without variant data", "skipped"); the last three add up to "read"."""

    def variants(self) -> Iterable[VariantRecord]:
        return (v for p in self.products for v in p.variants)

    def counts(self) -> dict[str, int]:
        variants = list(self.variants())
        return {
            "locations": len(self.locations), "products": len(self.products),
            "products_not_for_sale": sum(not p.for_sale for p in self.products),
            "variants": len(variants),
            "unavailable_variants": sum(not v.available for v in variants),
            "untracked_variants": sum(v.inventory == "untracked" for v in variants),
            "continue_variants": sum(v.inventory == "continue" for v in variants),
            "stock_levels": sum(len(v.stock) for v in variants),
            "customers": len(self.customers), "orders": len(self.orders),
            "order_items": sum(len(o.items) for o in self.orders),
            "skipped_rows": len(self.skipped),
        }

    def orders_by_status(self) -> dict[str, int]:
        return dict(Counter(o.status for o in self.orders).most_common())


def default_location() -> LocationRecord:
    return LocationRecord(id=DEFAULT_LOCATION_ID, name=DEFAULT_LOCATION_NAME)
