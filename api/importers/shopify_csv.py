"""Shopify's product CSV export, mapped onto `StoreData` as Shopify models the store.

* A product is its Handle; its rows need not be next to each other (a product in two
  places is merged and reported).  The first row with a Title gives the product's details
  and option names; every row with option values, a SKU or a price is a variant; a row with
  none of them holds only an image.
* A variant is its product plus its option values: its id is derived from them
  (`variant_ids.py`), the SKU is kept as an attribute.  A second row with the same product
  and options is a real duplicate: the first wins, the others are skipped and reported.
* Inventory as the store keeps it (`shopify_inventory.py`); Status decides what is for
  sale (active; draft, archived and unlisted are imported as not for sale, or skipped).
* A value that cannot be stored (a price that is not a number, a handle longer than 255
  characters) skips its row, with the line and the reason; the rest of the file imports.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from api.importers.html_text import html_to_text
from api.importers.records import (
    ProductRecord,
    ReaderFinding,
    SkippedRow,
    StoreData,
    VariantRecord,
)
from api.importers.shopify_columns import BadRecord, Row, ShopifyCsv, number
from api.importers.shopify_inventory import StockColumns
from api.importers.variant_ids import option_key, slug, variant_id
from domain.tables import Product, Variant

SEASON_TAGS = {"winter": "winter", "summer": "summer"}
SIZE_WORDS = frozenset({"size", "sizes"})
COLOR_WORDS = frozenset({"color", "colour", "colors", "colours"})
FOR_SALE = "active"  # Status values: active, draft, archived, unlisted
_FALSE = frozenset({"false", "no", "0"})
_TAXONOMY_ID = re.compile(r"^(gid://\S+|[a-z]{2}(-\d+)+|\d+)$")
_SEARCHABLE = re.compile(r"^[^\n<>{}\[\]]{1,60}$")  # a metafield value worth searching


def _limit(model: type, column: str) -> int:
    return int(model.__table__.c[column].type.length)  # type: ignore[attr-defined]


class Skip(Exception):
    """This row (or product) cannot be imported; `kind` is what the report counts by."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind, self.reason = kind, reason


def _fits(value: str, model: type, column: str, what: str) -> str:
    if len(value) > (n := _limit(model, column)):
        raise Skip("value too long", f"the {what} is {len(value)} characters; at most {n} "
                   "can be stored")
    return value


def _words(name: str) -> set[str]:
    return set(re.findall(r"[a-z]+", name.casefold()))


@dataclass
class _Product:
    """A product being assembled: its record, option names and the rows it spans."""

    handle: str
    rows: list[Row] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)  # first line of each run of rows


@dataclass
class _Tally:
    status: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    image_rows: int = 0


def _status(row: Row) -> str:
    """active, draft, archived or unlisted; a file without Status falls back on Published
    (false was how older exports hid a product)."""
    if row.columns.has("status"):
        return row.get("status").casefold() or FOR_SALE
    return "draft" if row.get("published").casefold() in _FALSE else FOR_SALE


def _category(row: Row) -> str:
    if kind := row.get("type"):
        return kind
    leaf = row.get("category").split(">")[-1].strip()
    return "" if _TAXONOMY_ID.match(leaf) else leaf


def _metafield_words(row: Row) -> list[str]:
    values = (v.strip() for i in row.columns.metafields for v in row.cell(i).split(";"))
    return [v.lower() for v in values
            if _SEARCHABLE.match(v) and "://" not in v and not v.startswith("gid:")]


def _product_record(product: _Product, row: Row, *, status: str) -> ProductRecord:
    name = _fits(row.get("title"), Product, "name", "Title")
    category = _fits(_category(row) or "Uncategorised", Product, "category", "Type")
    tags = [t.strip().lower() for t in row.get("tags").split(",") if t.strip()]
    season = next((SEASON_TAGS[t] for t in tags if t in SEASON_TAGS), "all")
    vendor = [row.get("vendor").lower()] if row.get("vendor") else []
    return ProductRecord(
        id=product.handle, name=name, category=category,
        description=html_to_text(row.get("body")),
        tags=" ".join([*tags, *vendor, *_metafield_words(row)]), season=season,
        for_sale=status == FOR_SALE, source=f"line {row.line}")


class _Mapper:
    """Rows grouped by product, then each product mapped, its variants deduplicated."""

    def __init__(self, store: StoreData, stock: StockColumns, *, skip_inactive: bool) -> None:
        self.store, self.stock, self.skip_inactive = store, stock, skip_inactive
        self.products: dict[str, _Product] = {}
        self.tally = _Tally()
        self._last_handle: str | None = None

    def skip(self, line: int, kind: str, reason: str) -> None:
        self.store.skipped.append(SkippedRow(f"line {line}", kind, reason))

    def add(self, record: Row | BadRecord) -> None:
        if isinstance(record, BadRecord):
            self.skip(record.line, "wrong number of fields", record.reason)
            self._last_handle = None
            return
        handle = record.get("handle") or slug(record.get("title"))
        if not handle:
            self.skip(record.line, "no product", "no Handle and no Title: the row belongs "
                      "to no product")
            return
        product = self.products.setdefault(handle, _Product(handle))
        if handle != self._last_handle:
            product.blocks.append(record.line)
        product.rows.append(record)
        self._last_handle = handle

    def map_all(self) -> None:
        for product in self.products.values():
            try:
                self._map(product)
            except Skip as skip:
                for row in product.rows:
                    self.skip(row.line, skip.kind, f"product {product.handle[:80]}: "
                              f"{skip.reason}")
        split = [f"product {p.handle} at " + ", ".join(f"line {n}" for n in p.blocks)
                 for p in self.products.values() if len(p.blocks) > 1]
        if split:
            self.store.findings.append(ReaderFinding(
                "split_products", "products whose rows are in separate places in the file "
                "(merged into one product)", split))

    def _map(self, product: _Product) -> None:
        _fits(product.handle, Product, "id", "Handle")
        head = next((r for r in product.rows if r.get("title")), None)
        if head is None:
            raise Skip("no product", "no row has a Title, so the product has no name")
        status = _status(head)
        self.tally.status[status] += 1
        if status != FOR_SALE and self.skip_inactive:
            raise Skip("not for sale (--skip-inactive)", f"Status is {status}")
        record = _product_record(product, head, status=status)
        if status == FOR_SALE and head.get("published").casefold() in _FALSE:
            self.tally.notes["unpublished"] += 1
        if head.get("gift_card").casefold() == "true":
            self.tally.notes["gift_cards"] += 1
        names = [head.get(f"option{i}_name") for i in (1, 2, 3)]
        seen: dict[tuple[str, ...], int] = {}
        for row in product.rows:
            try:
                variant = self._variant(record, row, names, seen)
            except Skip as skip:
                self.skip(row.line, skip.kind, skip.reason)
                continue
            if variant is None:
                self.tally.image_rows += 1
            else:
                record.variants.append(variant)
        extra = [*(v.lower() for x in record.variants for v in x.options.values()),
                 *(x.sku for x in record.variants if x.sku)]
        record.tags = " ".join(dict.fromkeys([*record.tags.split(), *extra]))
        self.store.products.append(record)

    def _variant(self, product: ProductRecord, row: Row, names: list[str],
                 seen: dict[tuple[str, ...], int]) -> VariantRecord | None:
        values = [row.get(f"option{i}_value") for i in (1, 2, 3)]
        if not (any(values) or row.get("sku") or row.get("price")):
            return None  # an image row, or a product row that holds no variant
        options: dict[str, str] = {}
        for i, value in enumerate(values):
            named = row.get(f"option{i + 1}_name") or names[i]
            if not value or (value == "Default Title" and named.casefold() in ("", "title")):
                continue  # Shopify's placeholder for a product without options
            options[named or f"Option{i + 1}"] = value
        key = option_key(list(options.values()))
        if key in seen:
            listed = ", ".join(f"{k}: {v}" for k, v in options.items()) or "no options"
            raise Skip("duplicate variant", f"same product and options as line {seen[key]} "
                       f"({product.id[:80]}; {listed}); the first is kept")
        size = next((v for k, v in options.items() if _words(k) & SIZE_WORDS), None)
        color = next((v for k, v in options.items() if _words(k) & COLOR_WORDS), None)
        sku = _fits(row.get("sku"), Variant, "sku", "SKU") or None
        if size:
            _fits(size, Variant, "size", "size")
        if color:
            _fits(color, Variant, "color", "colour")
        try:
            price = number(row.get("price"))
        except ValueError as exc:
            raise Skip("not a number", f"{row.column('price')}: {exc}") from exc
        try:
            inventory = self.stock.read(row)
        except ValueError as exc:
            raise Skip("not a number", str(exc)) from exc
        if price is not None and price < 0:
            raise Skip("negative price", f"{row.column('price')}: the price {price} is "
                       "negative")
        seen[key] = row.line
        self.tally.notes["oversold"] += inventory.oversold
        self.tally.notes["uncounted"] += inventory.uncounted
        return VariantRecord(
            id=variant_id(product.id, list(options.values())), product_id=product.id,
            sku=sku, size=size, color=color, options=options,
            price_cents=round(price * 100) if price is not None else None,
            available=product.for_sale, inventory=inventory.mode, stock=inventory.stock,
            source=f"line {row.line}")


def load_shopify_csv(path: Path, *, location_id: str | None = None,
                     skip_inactive: bool = False) -> StoreData:
    """Parse and map a Shopify product export; nothing is written.  Stock goes to
    `location_id`, or to the "Online warehouse" location created for it, unless the file
    has per-location columns.  `skip_inactive` leaves draft, archived and unlisted
    products out instead of importing them as not for sale."""
    rows = ShopifyCsv(path)
    store = StoreData(format="shopify", path=path)
    stock = StockColumns(rows.columns, location_id)
    mapper = _Mapper(store, stock, skip_inactive=skip_inactive)
    read = 0
    for record in rows:
        read += 1
        mapper.add(record)
    mapper.map_all()
    store.skipped.sort(key=lambda s: int(s.where.removeprefix("line ")))
    store.locations = stock.locations
    variants = sum(len(p.variants) for p in store.products)
    store.rows = {"read": read, "variants": variants,
                  "without variant data": mapper.tally.image_rows,
                  "skipped": len(store.skipped)}
    store.notes += _notes(store, rows, stock, mapper.tally, skip_inactive=skip_inactive)
    return store


def _notes(store: StoreData, rows: ShopifyCsv, stock: StockColumns, tally: _Tally, *,
           skip_inactive: bool) -> list[str]:
    counts = store.counts()
    notes = [rows.encoding_note] if rows.encoding_note else []
    if tally.status:
        statuses = ", ".join(f"{n} {s}" for s, n in tally.status.most_common())
        hidden = sum(n for s, n in tally.status.items() if s != FOR_SALE)
        source = "" if rows.columns.has("status") else \
            " (no Status column: Published = false read as draft)"
        notes.append(f"Status{source}: {statuses}" + (
            "" if not hidden else f"; the {hidden} not active are "
            + ("skipped (--skip-inactive)" if skip_inactive else
               "imported as not for sale: never searched or suggested")))
    if tally.notes["unpublished"]:
        notes.append(f"{tally.notes['unpublished']} active products are not published to "
                     "the online store (Published = false): imported as for sale, as their "
                     "Status says")
    if n := counts["untracked_variants"]:
        notes.append(f"{n} variants are sold without a stock count (no inventory tracker"
                     + (f", or {tally.notes['uncounted']} counted by the store but with no "
                        "count in this file" if tally.notes["uncounted"] else "")
                     + "): always sellable, shown as available, never as a number left")
    if n := counts["continue_variants"]:
        notes.append(f"{n} variants keep selling when out of stock (policy continue): "
                     "offered even at 0, shown as available, never as a number left")
    if tally.notes["oversold"]:
        notes.append(f"{tally.notes['oversold']} variants have negative stock (oversold); "
                     "imported as 0")
    if stock.per_location:
        names = ", ".join(name for name, _ in rows.columns.locations)
        notes.append(f"stock read per location from {len(rows.columns.locations)} columns "
                     f"({names}); their locations are created as warehouses in region US "
                     "shipping in 3 days: edit them to give true delivery estimates")
    if tally.notes["gift_cards"]:
        notes.append(f"{tally.notes['gift_cards']} gift-card products")
    if rows.columns.metafields:
        notes.append(f"{len(rows.columns.metafields)} Shopify category metafield columns: "
                     "their short text values are added to the search keywords")
    if skipped := Counter(s.kind for s in store.skipped):
        notes.append("skipped rows by reason: " + ", ".join(
            f"{kind} {n}" for kind, n in skipped.most_common()))
    return notes
