"""Where the shopper is, for delivery estimates: a region from a postcode or their profile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlmodel import Session

from domain.tables import Customer

RegionSource = Literal["message", "profile", "default"]


def region_for_postcode(postcode: str) -> str:
    """The shipping region of a US ZIP code, roughly by its first digit."""
    first = postcode.strip()[:1]
    if first in ("0", "1", "2", "4"):
        return "US-East"
    if first in ("3", "6", "7"):
        return "US-South"
    if first in ("5", "8"):
        return "US-Mountain"
    return "US-West"


def shopper_region(*, session: Session, postcodes: Sequence[str], customer_id: str | None,
                   use_profile: bool, default: str) -> tuple[str, RegionSource]:
    """The region to ship to, and where we learnt it.

    A postcode the shopper typed in this conversation wins (the latest one: they may be
    shopping for another address); then a signed-in shopper's profile, only with
    personalisation on; else the store's configured default region.
    """
    if postcodes:
        return region_for_postcode(postcodes[-1]), "message"
    if use_profile and customer_id:
        customer = session.get(Customer, customer_id)
        if customer is not None and (customer.region or customer.postcode):
            return customer.region or region_for_postcode(customer.postcode), "profile"
    return default, "default"
