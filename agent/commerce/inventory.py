"""Live stock, checked at answer time through the `InventoryService` interface.

The database implementation is the default; a retailer's own inventory API plugs in behind
the same interface.  When stock cannot be confirmed the service raises
`InventoryUnavailable` and the assistant says so instead of presenting items as available.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from domain.tables import Location, StockLevel

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
    ship_days: int

    def days_to(self, region: str) -> int:
        if self.kind == "warehouse" or self.region == region:
            return self.ship_days
        return self.ship_days + OUT_OF_REGION_EXTRA_DAYS


class InventoryService(Protocol):
    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        """Positive stock per variant and location; variants with none map to []."""
        ...


class DatabaseInventory:
    """Stock levels from the store database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def stock_for(self, variant_ids: Sequence[str]) -> dict[str, list[StockAt]]:
        result: dict[str, list[StockAt]] = defaultdict(list)
        if not variant_ids:
            return {}
        try:
            with Session(self._engine) as session:
                rows = session.exec(
                    select(StockLevel, Location)
                    .join(Location, col(Location.id) == col(StockLevel.location_id))
                    .where(col(StockLevel.variant_id).in_(list(variant_ids)))
                    .where(StockLevel.quantity > 0)
                ).all()
        except SQLAlchemyError as exc:
            raise InventoryUnavailable(f"stock query failed: {exc.__class__.__name__}") from exc
        for level, location in rows:
            result[level.variant_id].append(StockAt(
                location_id=location.id, location_name=location.name, region=location.region,
                kind=location.kind, quantity=level.quantity, ship_days=location.ship_days,
            ))
        return {vid: result.get(vid, []) for vid in variant_ids}


def soonest_source(stock: Sequence[StockAt], region: str) -> StockAt | None:
    """The location that can reach a shopper in `region` soonest; ties go to more stock."""
    if not stock:
        return None
    return min(stock, key=lambda s: (s.days_to(region), -s.quantity))


def stock_note(source: StockAt, region: str) -> str:
    """An honest badge: low counts are shown, and the delivery estimate is per location."""
    days = source.days_to(region)
    when = "tomorrow" if days <= 1 else f"in about {days} days"
    where = source.location_name
    if source.quantity <= 3:
        return f"{source.quantity} left at {where}, delivered {when}"
    return f"In stock at {where}, delivered {when}"
