"""Live stock, checked at answer time through the `InventoryService` interface.

The database implementation is the default; a retailer's own inventory API plugs in behind
the same interface.  When stock cannot be confirmed the service raises
`InventoryUnavailable` and the assistant says so instead of presenting items as available.

Stock is kept the way the store keeps it (`domain.tables.InventoryMode`): a tracked variant
sells what its count holds; an untracked one (no count at all) and a "continue selling when
out of stock" one are sellable wherever the store sells them, and the badge says
"available", never a count the store does not keep or that does not limit the sale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from domain.tables import InventoryMode, Location, StockLevel, Variant

# A store ships outside its own region more slowly than the warehouse does.
OUT_OF_REGION_EXTRA_DAYS = 2


class InventoryUnavailable(RuntimeError):
    """Stock could not be confirmed (the inventory backend failed or timed out)."""


@dataclass(frozen=True)
class StockAt:
    location_id: str
    location_name: str
    region: str
    kind: str
    quantity: int
    """Units on hand; a limit only when `inventory` is "tracked" (0 for an untracked
    variant, whose store keeps no count)."""
    ship_days: int
    inventory: InventoryMode = "tracked"

    @property
    def counted(self) -> bool:
        """Does `quantity` say how many can be sold?"""
        return self.inventory == "tracked"

    def days_to(self, region: str) -> int:
        if self.kind == "warehouse" or self.region == region:
            return self.ship_days
        return self.ship_days + OUT_OF_REGION_EXTRA_DAYS


class InventoryService(Protocol):
    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        """Where each variant can be sold now: tracked stock with a positive count, and every
        location selling an untracked or sell-when-out variant; variants with none map to
        []."""
        ...


class DatabaseInventory:
    """Stock levels from the store database.  A stock-level row names a location that
    sells the variant; its quantity counts only for tracked variants.  A variant the store
    marks as not available is never sellable, whatever its rows say."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        result: dict[str, list[StockAt]] = defaultdict(list)
        if not variant_ids:
            return {}
        try:
            with Session(self._engine) as session:
                rows = session.exec(
                    select(StockLevel, Location, Variant.inventory)
                    .join(Location, col(Location.id) == col(StockLevel.location_id))
                    .join(Variant, col(Variant.id) == col(StockLevel.variant_id))
                    .where(col(StockLevel.variant_id).in_(list(variant_ids)))
                    .where(col(Variant.available).is_(True))
                    .where((col(StockLevel.quantity) > 0)
                           | (col(Variant.inventory) != "tracked"))
                ).all()
        except SQLAlchemyError as exc:
            raise InventoryUnavailable(f"stock query failed: {exc.__class__.__name__}") from exc
        for level, location, mode in rows:
            result[level.variant_id].append(StockAt(
                location_id=location.id, location_name=location.name, region=location.region,
                kind=location.kind, quantity=level.quantity, ship_days=location.ship_days,
                inventory=_mode(mode),
            ))
        return {vid: result.get(vid, []) for vid in variant_ids}


def _mode(value: str) -> InventoryMode:
    if value == "untracked":
        return "untracked"
    return "continue" if value == "continue" else "tracked"


def soonest_source(stock: Sequence[StockAt], region: str) -> StockAt | None:
    """The location that can reach a shopper in `region` soonest; ties go to more stock.
    A sell-when-out location with nothing on hand comes after any that has it (its
    delivery estimate assumes a shelf it does not have)."""
    if not stock:
        return None
    return min(stock, key=lambda s: (s.inventory == "continue" and s.quantity <= 0,
                                     s.days_to(region), -s.quantity))


def stock_note(source: StockAt, region: str) -> str:
    """An honest badge: low counts are shown, and the delivery estimate is per location.

    Untracked stock has no count, so it is only "available"; a sell-when-out variant with
    none on hand is available to order, without a delivery promise the shelf cannot keep."""
    days = source.days_to(region)
    when = "tomorrow" if days <= 1 else f"in about {days} days"
    where = source.location_name
    if source.inventory == "untracked":
        return f"Available from {where}, delivered {when}"
    if source.inventory == "continue":
        if source.quantity > 0:
            return f"In stock at {where}, delivered {when}"
        return f"Available to order from {where}; out of stock now, so delivery may take longer"
    if source.quantity <= 3:
        return f"{source.quantity} left at {where}, delivered {when}"
    return f"In stock at {where}, delivered {when}"
