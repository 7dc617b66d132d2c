"""Reading a Shopify product CSV: the text decoded, each record with the line it starts on,
and cells read by what they mean, whichever header spelling the export uses.

Shopify renamed its product CSV columns (`Handle` -> `URL handle`, `Body (HTML)` ->
`Description`, `Variant SKU` -> `SKU`, `Variant Price` -> `Price`, `Variant Inventory Qty`
-> `Inventory quantity`, `Variant Inventory Policy` -> `Continue selling when out of
stock`, `Image Src` -> `Product image URL`, ...) and still reads the old names, so exports
in the wild carry either set.  Headers are matched without regard to case or spacing.
Columns no field names (SEO, Google Shopping, market prices, weights) are never read, so
they can never fail an import.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from api.importers.records import MalformedFile

# Field -> header spellings, the first present wins.  "category" is the taxonomy breadcrumb
# (its last part is used when there is no Type).
FIELDS: dict[str, tuple[str, ...]] = {
    "handle": ("Handle", "URL handle"),
    "title": ("Title",),
    "body": ("Body (HTML)", "Description", "Body HTML"),
    "vendor": ("Vendor",),
    "type": ("Type", "Custom Product Type", "Product Type"),
    "category": ("Product Category", "Standard Product Type", "Standardized Product Type"),
    "tags": ("Tags",),
    "published": ("Published", "Published on online store"),
    "status": ("Status",),
    **{f"option{i}_{part}": (f"Option{i} {part.title()}",)
       for i in (1, 2, 3) for part in ("name", "value")},
    "sku": ("Variant SKU", "SKU"),
    "price": ("Variant Price", "Price"),
    "compare_at": ("Variant Compare At Price", "Compare-at price", "Compare At Price"),
    "tracker": ("Variant Inventory Tracker", "Inventory tracker"),
    "quantity": ("Variant Inventory Qty", "Inventory quantity", "Variant Inventory Quantity"),
    "policy": ("Variant Inventory Policy", "Continue selling when out of stock",
               "Inventory policy"),
    "gift_card": ("Gift Card",),
    "image": ("Image Src", "Product image URL"),
}
# Per-location stock columns, as Matrixify and similar Shopify exporters write them:
# "Inventory Available: Brooklyn store".  The product CSV's own quantity column is
# single-location; Shopify keeps per-location counts in its separate inventory CSV.
_LOCATION_COLUMN = re.compile(r"^inventory available:\s*(.+)$", re.IGNORECASE)
# Shopify's category metafields: "Fabric (product.metafields.shopify.fabric)", the
# standard attributes (colour, material, fabric, size...) stores fill for filtering.  A
# store's own namespaces ("custom") mostly hold page content (review texts, FAQ headings),
# which is not what the product is.
_METAFIELD_COLUMN = re.compile(r"\(product\.metafields\.shopify\.[^)]+\)\s*$",
                               re.IGNORECASE)


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def number(text: str) -> Decimal | None:
    """A price or count as written in an export ("12", "12.50", "$12.50", "1,299.00",
    "3.0"); None for an empty cell; `ValueError` naming the text otherwise."""
    value = text.strip().lstrip("$").strip()
    if not value:
        return None
    if _THOUSANDS.match(value):
        value = value.replace(",", "")
    try:
        parsed = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a number") from exc
    if not parsed.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return parsed


def _norm(header: str) -> str:
    return " ".join(header.split()).casefold()


@dataclass(frozen=True)
class Columns:
    """Where each field is in a header."""

    header: tuple[str, ...]
    fields: dict[str, int]
    locations: tuple[tuple[str, int], ...]  # (location name, index)
    metafields: tuple[int, ...]

    @classmethod
    def of(cls, header: list[str]) -> Columns:
        position: dict[str, int] = {}
        for i, name in enumerate(header):
            position.setdefault(_norm(name), i)
        fields: dict[str, int] = {}
        for field, spellings in FIELDS.items():
            found = next((position[_norm(s)] for s in spellings if _norm(s) in position), None)
            if found is not None:
                fields[field] = found
        locations = tuple((m.group(1).strip(), i) for i, name in enumerate(header)
                          if (m := _LOCATION_COLUMN.match(name.strip())))
        metafields = tuple(i for i, name in enumerate(header) if _METAFIELD_COLUMN.search(name))
        return cls(tuple(header), fields, locations, metafields)

    def has(self, field: str) -> bool:
        return field in self.fields

    def label(self, index: int) -> str:
        """"column 21 (Variant Price)": the number a spreadsheet shows, and the header."""
        return f"column {index + 1} ({self.header[index]})"


@dataclass(frozen=True)
class Row:
    """One CSV record: its cells, read by field name, and the line it starts on."""

    line: int
    cells: tuple[str, ...]
    columns: Columns

    def get(self, field: str) -> str:
        i = self.columns.fields.get(field)
        return self.cells[i].strip() if i is not None and i < len(self.cells) else ""

    def cell(self, index: int) -> str:
        return self.cells[index].strip() if index < len(self.cells) else ""

    def column(self, field: str) -> str:
        """"column 21 (Variant Price)", for a reason that names a cell."""
        return self.columns.label(self.columns.fields[field])


@dataclass(frozen=True)
class BadRecord:
    """A record whose shape does not fit the header: left out, with the reason."""

    line: int
    reason: str


def decode(path: Path) -> tuple[str, str | None]:
    """The file's text and, when it is not UTF-8, a note saying how it was read.  Shopify
    writes UTF-8 (with or without a BOM); a file re-saved by a spreadsheet may be
    Windows-1252, which is read as such rather than refused."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        try:
            return raw.decode("cp1252"), (f"the file is not UTF-8 (first at line {line}); "
                                          "it was read as Windows-1252")
        except UnicodeDecodeError:
            raise MalformedFile(path, line, f"not UTF-8 text ({exc.reason})") from exc


class ShopifyCsv:
    """The records of a Shopify product CSV.  Raises `MalformedFile` only for what makes the
    whole file unreadable (no Handle or Title column, broken quoting); a record of the wrong
    length is yielded as a `BadRecord` and the rest of the file still reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        text, self.encoding_note = decode(path)
        self._reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = [h.strip() for h in self._next() or []]
        self.columns = Columns.of(header)
        missing = [spellings[0] for field, spellings in FIELDS.items()
                   if field in ("handle", "title") and not self.columns.has(field)]
        if missing:
            raise MalformedFile(path, 1, "not a Shopify product CSV: no "
                                + ", ".join(f'"{c}"' for c in missing) + " column")

    def _next(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise MalformedFile(self.path, self._reader.line_num, f"bad CSV: {exc}") from exc

    def __iter__(self) -> Iterator[Row | BadRecord]:
        width = len(self.columns.header)
        while True:
            line = self._reader.line_num + 1
            cells = self._next()
            if cells is None:
                return
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            extra = cells[width:]
            if len(cells) < width or any(c.strip() for c in extra):
                yield BadRecord(line, f"{len(cells)} fields, but the header has {width}")
                continue
            yield Row(line, tuple(cells[:width]), self.columns)
