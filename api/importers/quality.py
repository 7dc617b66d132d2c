"""The data-quality report every import prints before it writes.

Every importer hands a `StoreData` to `check_quality`; the checks are the same whatever the
file format.  Findings are warnings (the import may go ahead; the report says what the
shopper will or will not see) unless they would break the write or the store's promises,
such as an order for a customer nobody knows or a value too long for its column: those
are blocking and the import stops before writing anything.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from api.importers.records import StoreData
from domain.tables import Customer, Location, Order, Product, Variant

EXAMPLES = 5  # examples shown per finding; the count is always complete
# Spellings that name the same thing (British / American, common abbreviations).
_SPELLING = {"colour": "color", "grey": "gray", "jewellery": "jewelry", "favourite": "favorite",
             "accessorie": "accessory"}


@dataclass
class Finding:
    check: str
    summary: str
    examples: list[str] = field(default_factory=list)
    count: int = 0
    blocking: bool = False


@dataclass
class QualityReport:
    format: str
    source: str
    counts: dict[str, int]
    orders_by_status: dict[str, int]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    def finding(self, check: str) -> Finding | None:
        return next((f for f in self.findings if f.check == check), None)

    def render(self) -> str:
        c = self.counts
        lines = [f"Data-quality report: {self.format} store from {self.source}"]
        if self.rows:
            lines.append(f"Rows: {self.rows['read']} read = {self.rows['variants']} variants + "
                         f"{self.rows['without variant data']} without variant data (extra "
                         f"images) + {self.rows['skipped']} skipped")
        not_for_sale = c.get("products_not_for_sale", 0)
        modes = [f"{n} {label}" for n, label in (
            (c.get("untracked_variants", 0), "without a stock count (always available)"),
            (c.get("continue_variants", 0), "sold when out of stock")) if n]
        lines.append(
            f"To import: {c['locations']} locations, {c['products']} products"
            + (f" ({not_for_sale} not for sale)" if not_for_sale else "")
            + f", {c['variants']} variants ({c['unavailable_variants']} not available"
            + "".join(f"; {m}" for m in modes) + "), "
            f"{c['stock_levels']} stock levels, {c['customers']} customers, "
            f"{c['orders']} orders ({c['order_items']} order lines)")
        if self.orders_by_status:
            lines.append("Orders by status: " + ", ".join(
                f"{status} {n}" for status, n in self.orders_by_status.items()))
        lines.append("Findings:" if self.findings else "Findings: none")
        for f in self.findings:
            tag = "BLOCKING" if f.blocking else "warning"
            lines.append(f"  [{tag}] {f.summary}: {f.count}")
            lines += [f"      - {example}" for example in f.examples[:EXAMPLES]]
            if f.count > EXAMPLES:
                lines.append(f"      ... and {f.count - EXAMPLES} more")
        if self.notes:
            lines.append("Importer notes:")
            lines += [f"  - {note}" for note in self.notes]
        return "\n".join(lines)


def _add(report: QualityReport, check: str, summary: str, examples: list[str],
         *, blocking: bool = False) -> None:
    if examples:
        report.findings.append(Finding(check=check, summary=summary, examples=examples,
                                       count=len(examples), blocking=blocking))


def spelling_key(name: str) -> str:
    """Case, spacing, punctuation, plural and British/American spelling removed:
    "T-Shirts" and "t shirt" -> "tshirt", "Colour" -> "color"."""
    words = []
    for word in re.findall(r"[a-z0-9]+", name.lower()):
        if len(word) > 3 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith(("ses", "xes", "ches", "shes")):
            word = word[:-2]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(_SPELLING.get(word, word))
    return "".join(words)


def _spellings(names: Iterable[tuple[str, str]]) -> list[str]:
    """Groups of names (with where each is used) that differ only in spelling."""
    groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, where in names:
        groups[spelling_key(name)][name].append(where)
    return [" vs ".join(f'"{name}" ({len(uses)} x, e.g. {uses[0]})'
                        for name, uses in sorted(spellings.items()))
            for spellings in groups.values() if len(spellings) > 1]


def _duplicates(keyed: Iterable[tuple[str, str]], what: str) -> list[str]:
    seen: dict[str, list[str]] = defaultdict(list)
    for key, where in keyed:
        seen[key].append(where)
    return [f"{what} {key} at {', '.join(w for w in wheres if w) or 'several places'}"
            for key, wheres in seen.items() if len(wheres) > 1]


def _too_long(store: StoreData) -> list[str]:
    """Values longer than their column: PostgreSQL refuses them, so they block the write."""
    def limit(model: type, column: str) -> int:
        return int(model.__table__.c[column].type.length)  # type: ignore[attr-defined]

    checks: list[tuple[str, str | None, int, str]] = []
    for p in store.products:
        checks += [(f"product {p.id[:80]} id", p.id, limit(Product, "id"), p.source),
                   (f"product {p.id} name", p.name, limit(Product, "name"), p.source),
                   (f"product {p.id} category", p.category, limit(Product, "category"),
                    p.source)]
        for v in p.variants:
            checks += [(f"variant {v.id} id", v.id, limit(Variant, "id"), v.source),
                       (f"variant {v.id} SKU", v.sku, limit(Variant, "sku"), v.source),
                       (f"variant {v.id} size", v.size, limit(Variant, "size"), v.source),
                       (f"variant {v.id} colour", v.color, limit(Variant, "color"), v.source)]
    for c in store.customers:
        checks += [(f"customer {c.id} id", c.id, limit(Customer, "id"), c.source),
                   (f"customer {c.id} postcode", c.postcode, limit(Customer, "postcode"),
                    c.source)]
    for o in store.orders:
        checks += [(f"order {o.id} id", o.id, limit(Order, "id"), o.source),
                   (f"order {o.id} tracking", o.tracking_number,
                    limit(Order, "tracking_number"), o.source)]
    checks += [(f"location {loc.id} id", loc.id, limit(Location, "id"), "")
               for loc in store.locations]
    return [f"{what} is {len(value)} characters (at most {n}){' at ' + where if where else ''}"
            for what, value, n, where in checks if value and len(value) > n]


def _shared_skus(store: StoreData) -> list[str]:
    """SKUs on more than one variant: stores reuse them (one per colour for every size, the
    same on two products), which is why a SKU is kept, never used as the id."""
    users: dict[str, list[str]] = defaultdict(list)
    for p in store.products:
        for v in p.variants:
            if v.sku:
                users[v.sku].append(f"{p.id[:60]} {v.source}".strip())
    return [f"SKU {sku}: {len(where)} variants of {len({w.split()[0] for w in where})} "
            f"products ({', '.join(where[:4])}{', ...' if len(where) > 4 else ''})"
            for sku, where in users.items() if len(where) > 1]


def check_quality(store: StoreData, *, known_variant_ids: frozenset[str] = frozenset(),
                  known_customer_ids: frozenset[str] = frozenset(),
                  known_location_ids: frozenset[str] = frozenset(),
                  retired_variant_ids: Sequence[str] = ()) -> QualityReport:
    """Every check on `store`; `known_*` are ids already in the database (merge targets);
    `retired_variant_ids` are variants in the database of products this store lists that
    the store no longer lists (the write retires them)."""
    report = QualityReport(format=store.format, source=str(store.path), counts=store.counts(),
                           orders_by_status=store.orders_by_status(), notes=list(store.notes),
                           rows=dict(store.rows))
    variants = list(store.variants())
    _add(report, "skipped_rows", "rows skipped, with the reason (the rest of the file is "
         "imported)", [f"{s.where}: {s.reason}" for s in store.skipped])
    for found in store.findings:
        _add(report, found.check, found.summary, list(found.examples))
    _add(report, "duplicate_products", "same product id twice (the later one is kept)",
         _duplicates(((p.id, p.source) for p in store.products), "product"))
    _add(report, "duplicate_product_names", "same product name and category under two ids",
         _duplicates(((f'"{p.name}" ({p.category})', f"{p.id} {p.source}".strip())
                      for p in store.products), "product"))
    _add(report, "duplicate_variants", "same variant id twice (the later one is kept)",
         _duplicates(((v.id, v.source) for v in variants), "variant"))
    _add(report, "duplicate_customers", "same customer twice (by id)",
         _duplicates(((c.id, c.source) for c in store.customers), "customer"))
    _add(report, "duplicate_emails", "same customer twice (same email, normalised)",
         _duplicates(((c.email.strip().lower(), c.id) for c in store.customers), "email"))
    _add(report, "duplicate_orders", "same order id twice (the later one is kept)",
         _duplicates(((o.id, o.source) for o in store.orders), "order"))

    _add(report, "shared_skus", "SKUs on several variants (kept as an attribute; variants "
         "are told apart by product and options)", _shared_skus(store))
    _add(report, "products_without_variants", "products with no variant (never offered)",
         [f"product {p.id[:80]} {p.source}".strip() for p in store.products if not p.variants])
    _add(report, "retired_variants", "variants no longer in the file, of products it lists "
         "(retired: not available, kept for order history)",
         [f"variant {vid}" for vid in retired_variant_ids])
    _add(report, "variants_without_price", "variants with no price (never suggested)",
         [f"variant {v.id} {v.source}".strip() for v in variants if v.price_cents is None])
    _add(report, "variants_without_size", "variants with no size in a product that has sizes",
         [f"variant {v.id} of product {p.id} {v.source}".strip()
          for p in store.products if any(v.size for v in p.variants)
          for v in p.variants if not v.size])
    _add(report, "option_names", "option names that differ only in spelling or case",
         _spellings((name, f"variant {v.id}") for v in variants for name in v.options))
    _add(report, "categories", "categories that differ only in spelling, case or plural",
         _spellings((p.category, f"product {p.id}") for p in store.products))

    item_ids = {v.id for v in variants} | known_variant_ids
    _add(report, "unknown_order_items", "order lines pointing at unknown items (kept, "
         "named from the order when it names them)",
         [f"order {o.id} item {line.variant_id}" for o in store.orders for line in o.items
          if line.variant_id not in item_ids])
    customer_ids = {c.id for c in store.customers} | known_customer_ids
    _add(report, "unknown_order_customers", "orders for unknown customers",
         [f"order {o.id} customer {o.customer_id} {o.source}".strip()
          for o in store.orders if o.customer_id not in customer_ids], blocking=True)
    location_ids = {loc.id for loc in store.locations} | known_location_ids
    _add(report, "unknown_locations", "stock at unknown locations",
         [f"variant {v.id} location {loc}" for v in variants for loc in v.stock
          if loc not in location_ids], blocking=True)
    _add(report, "too_long", "values too long for their column", _too_long(store),
         blocking=True)
    return report
