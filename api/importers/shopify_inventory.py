"""A Shopify variant's inventory as the store keeps it: how it is counted, and where.

* `Variant Inventory Tracker` (`Inventory tracker`) names who counts the stock ("shopify",
  or a fulfilment app); empty means nobody does, and Shopify then always sells the variant.
  Without a tracker column, a variant with a quantity is counted and one without is not.
* A counted variant whose file holds no count (no quantity column, or an empty cell) is
  imported as uncounted: available, never "N left", and the report says so.
* `Variant Inventory Policy` = continue (`Continue selling when out of stock` = continue or
  true) keeps selling past zero.
* Quantities come from the single-location quantity column, or from per-location columns
  ("Inventory Available: Brooklyn store") when the export has them; the latter win.  An
  uncounted variant is sold from the locations its row names, else the import location.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.importers.records import DEFAULT_LOCATION_ID, LocationRecord, default_location
from api.importers.shopify_columns import Columns, Row, number
from api.importers.variant_ids import slug
from domain.tables import InventoryMode, Location

_CONTINUE = frozenset({"continue", "true", "yes", "1"})
_NOT_STOCKED = frozenset({"not stocked", "n/a"})
_LOCATION_ID_LENGTH = int(Location.__table__.c["id"].type.length)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Inventory:
    mode: InventoryMode
    stock: dict[str, int]
    oversold: bool = False  # a negative count, imported as 0
    uncounted: bool = False  # counted by the store, but the file holds no count


@dataclass
class StockColumns:
    """Reads each row's inventory; creates the locations the file's columns name."""

    columns: Columns
    location_id: str | None  # --location: stock goes there; None: the ONLINE warehouse
    locations: list[LocationRecord] = field(default_factory=list)
    _by_column: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        taken: set[str] = set()
        for name, index in self.columns.locations:
            base = (slug(name).upper() or "LOCATION")[:_LOCATION_ID_LENGTH]
            loc_id, n = base, 2
            while loc_id in taken:
                suffix = f"-{n}"
                loc_id, n = base[:_LOCATION_ID_LENGTH - len(suffix)] + suffix, n + 1
            taken.add(loc_id)
            self.locations.append(LocationRecord(id=loc_id, name=name[:255]))
            self._by_column.append((loc_id, index))

    @property
    def per_location(self) -> bool:
        return bool(self._by_column)

    def _import_location(self) -> str:
        if self.location_id is not None:
            return self.location_id
        if all(loc.id != DEFAULT_LOCATION_ID for loc in self.locations):
            self.locations.append(default_location())
        return DEFAULT_LOCATION_ID

    def _counts(self, row: Row) -> dict[str, int] | None:
        """Quantity per location as written ({} when per-location columns are all empty:
        stocked nowhere); None when the file holds no count for the row.  `ValueError`
        names a cell that is not a whole number."""
        if self._by_column:
            found: dict[str, int] = {}
            for loc_id, index in self._by_column:
                text = row.cell(index)
                if not text or text.casefold() in _NOT_STOCKED:
                    continue
                found[loc_id] = _whole(text, row.columns.label(index))
            return found
        if not self.columns.has("quantity") or not row.get("quantity"):
            return None
        return {"": _whole(row.get("quantity"), row.column("quantity"))}

    def read(self, row: Row) -> Inventory:
        counts = self._counts(row)
        # Without a tracker column, a row with a count is counted and one without is not.
        tracked = bool(row.get("tracker")) if self.columns.has("tracker") \
            else counts is not None
        where = [loc for loc in (counts or {}) if loc] or [self._import_location()]
        if not tracked or counts is None:
            return Inventory("untracked", dict.fromkeys(where, 0), uncounted=tracked)
        oversold = any(q < 0 for q in counts.values())
        stock = {(loc or self._import_location()): max(q, 0) for loc, q in counts.items()}
        mode: InventoryMode = "continue" if row.get("policy").casefold() in _CONTINUE \
            else "tracked"
        return Inventory(mode, stock, oversold=oversold)


def _whole(text: str, column: str) -> int:
    try:
        value = number(text)
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from exc
    if value is None:
        return 0
    if value != value.to_integral_value():
        raise ValueError(f"{column}: {value} is not a whole number")
    return int(value)
