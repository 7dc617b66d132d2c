"""Shopify's product CSV export (the columns Shopify documents), mapped onto `StoreData`.

One product spans several rows with the same Handle: the first has the Title and the
option names; the rows after it (empty Title) are more variants, or only extra images.
Columns used: Handle, Title, Body (HTML), Vendor, Product Category, Type, Tags, Status,
Option1..3 Name / Value, Variant SKU, Variant Price, Variant Inventory Qty,
Variant Inventory Policy.  Every other column (Image Src, SEO Title, ...) is ignored.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path

from api.importers.writer import (
    DEFAULT_LOCATION_ID,
    MalformedFile,
    ProductRecord,
    StoreData,
    VariantRecord,
    default_location,
)

REQUIRED_COLUMNS = ("Handle", "Title")
SIZE_OPTIONS = frozenset({"size"})
COLOR_OPTIONS = frozenset({"color", "colour"})
SEASON_TAGS = {"winter": "winter", "summer": "summer"}
_HIDDEN = frozenset({"draft", "archived"})  # Status values a shopper cannot buy
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2",
                         "h3", "h4", "h5", "h6", "table", "section", "article", "blockquote"})
_MAX_ID = 64


class _TextOnly(HTMLParser):
    """Text of an HTML fragment: tags dropped, entities decoded, script/style bodies left out.
    A parser, not a regex, so malformed or hostile markup cannot leak tags through."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Rows:
    """CSV records with the line each starts on; cells read by column name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise MalformedFile(path, line, f"not UTF-8 text ({exc.reason})") from exc
        self._reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        self.header = [h.strip() for h in self._next() or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in self.header]
        if missing:
            raise MalformedFile(path, 1, "not a Shopify product CSV: no "
                                + ", ".join(f'"{c}"' for c in missing) + " column")
        self.index = {name: i for i, name in enumerate(self.header)}
        self.line = 1
        self.row: list[str] = []

    def _next(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise MalformedFile(self.path, self._reader.line_num, f"bad CSV: {exc}") from exc

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> list[str]:
        while True:
            self.line = self._reader.line_num + 1
            row = self._next()
            if row is None:
                raise StopIteration
            if any(cell.strip() for cell in row):
                break
        if len(row) != len(self.header):
            raise MalformedFile(self.path, self.line, f"{len(row)} fields, but the header "
                                f"has {len(self.header)}")
        self.row = row
        return row

    def get(self, column: str) -> str:
        i = self.index.get(column)
        return self.row[i].strip() if i is not None else ""

    def fail(self, column: str, reason: str) -> MalformedFile:
        return MalformedFile(self.path, self.line, reason,
                             column=self.index[column] + 1, column_name=column)

    def number(self, column: str) -> Decimal | None:
        value = self.get(column)
        if not value:
            return None
        try:
            number = Decimal(value.lstrip("$"))
        except InvalidOperation as exc:
            raise self.fail(column, f"{value!r} is not a number") from exc
        if not number.is_finite():
            raise self.fail(column, f"{value!r} is not a number")
        return number


def _product(rows: _Rows, handle: str) -> tuple[ProductRecord, list[str]]:
    category = rows.get("Type") or rows.get("Product Category").split(">")[-1].strip()
    tags = [t.strip().lower() for t in rows.get("Tags").split(",") if t.strip()]
    season = next((SEASON_TAGS[t] for t in tags if t in SEASON_TAGS), "all")
    product = ProductRecord(
        id=handle, name=rows.get("Title"), category=category or "Uncategorised",
        description=html_to_text(rows.get("Body (HTML)")),
        tags=" ".join([*tags, rows.get("Vendor").lower()] if rows.get("Vendor") else tags),
        season=season, source=f"line {rows.line}")
    names = [rows.get(f"Option{i} Name") for i in (1, 2, 3)]
    return product, names


def load_shopify_csv(path: Path, *, location_id: str | None = None) -> StoreData:
    """Parse and map a Shopify product export; nothing is written.  Stock goes to
    `location_id`, or to the "Online warehouse" location created for it."""
    rows = _Rows(path)
    store = StoreData(format="shopify", path=path)
    if location_id is None:
        store.locations.append(default_location())
    location = location_id or DEFAULT_LOCATION_ID
    latest: dict[str, tuple[ProductRecord, list[str], bool]] = {}
    no_sku: list[str] = []
    tally: Counter[str] = Counter()
    for _row in rows:
        handle = rows.get("Handle")
        if not handle:
            raise rows.fail("Handle", "the Handle is empty")
        if len(handle) > _MAX_ID:
            raise rows.fail("Handle", f"the Handle is longer than {_MAX_ID} characters")
        if rows.get("Title"):
            product, names = _product(rows, handle)
            hidden = rows.get("Status").lower() in _HIDDEN
            latest[handle] = (product, names, hidden)
            store.products.append(product)
        elif handle not in latest:
            raise rows.fail("Title", f'row continues product "{handle}", but no row above '
                            "starts it (its first row needs a Title)")
        product, names, hidden = latest[handle]
        option_values = [rows.get(f"Option{i} Value") for i in (1, 2, 3)]
        if not (any(option_values) or rows.get("Variant SKU") or rows.get("Variant Price")):
            continue  # an image-only row
        options: dict[str, str] = {}
        for name, value in zip(names, option_values, strict=True):
            if value and not (name == "Title" and value == "Default Title"):
                options[name or f"Option{len(options) + 1}"] = value
        size = next((v for k, v in options.items() if k.lower() in SIZE_OPTIONS), None)
        color = next((v for k, v in options.items() if k.lower() in COLOR_OPTIONS), None)
        variant_id = rows.get("Variant SKU")
        if not variant_id:
            variant_id = "-".join([handle, *(_slug(v) for v in options.values())])[:_MAX_ID]
            no_sku.append(f"{variant_id} (line {rows.line})")
        price = rows.number("Variant Price")
        if price is not None and price < 0:
            raise rows.fail("Variant Price", "the price is negative")
        quantity = rows.number("Variant Inventory Qty")
        if quantity is not None and quantity != quantity.to_integral_value():
            raise rows.fail("Variant Inventory Qty", f"{quantity} is not a whole number")
        if quantity is not None and quantity < 0:
            tally["oversold"] += 1
        if rows.get("Variant Inventory Policy").lower() == "continue":
            tally["continue"] += 1
        tally["hidden"] += int(hidden)
        product.variants.append(VariantRecord(
            id=variant_id, product_id=handle, size=size, color=color, options=options,
            price_cents=round(price * 100) if price is not None else None,
            available=not hidden,
            stock={location: max(int(quantity), 0)} if quantity is not None else {},
            source=f"line {rows.line}"))
    if no_sku:
        store.notes.append(f"{len(no_sku)} variants have no Variant SKU; their ids are made "
                           f"from the handle and options: {', '.join(no_sku[:5])}"
                           + (" ..." if len(no_sku) > 5 else ""))
    if tally["oversold"]:
        store.notes.append(f"{tally['oversold']} variants have negative stock (oversold); "
                           "imported as 0")
    if tally["continue"]:
        store.notes.append(f"{tally['continue']} variants sell when out of stock in Shopify "
                           "(policy 'continue'); Tandem only suggests what is in stock")
    if tally["hidden"]:
        store.notes.append(f"{tally['hidden']} variants belong to draft or archived products; "
                           "imported as not available")
    return store
