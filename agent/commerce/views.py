"""What a search hands on: plain, immutable views of products and variants (the catalogue
snapshot keeps them in memory and shares them between threads)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.tables import Variant


@dataclass(frozen=True)
class ProductView:
    id: str
    name: str
    category: str
    season: str
    size_chart: dict[str, object] | None


@dataclass(frozen=True)
class VariantView:
    id: str
    product_id: str
    size: str | None
    color: str | None
    price: float
    options: tuple[tuple[str, str], ...] = ()
    """Every option of the variant (name, value), as the store has them."""
    available: bool = True
    """The store's own sellable flag."""

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.color, self.size) if part)


def view_of(variant: Variant) -> VariantView:
    options = tuple((str(k), str(v)) for k, v in (variant.options or {}).items()
                    if v is not None and str(v) != "")
    return VariantView(id=variant.id, product_id=variant.product_id, size=variant.size,
                       color=variant.color, price=(variant.price_cents or 0) / 100,
                       options=options, available=variant.available)
