"""Season and climate sense: a shopper somewhere hot is not offered winter coats first.

The climate comes from the shopper's postcode (typed in the conversation, or on a
signed-in shopper's profile with personalisation on). Only ranking changes: winter gear
still appears, after the rest, and comes first again when the shopper asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlmodel import Session

from agent.commerce.query import ShopperQuery
from domain.tables import Customer

Climate = Literal["tropical", "temperate"]

# US ZIP prefixes (first three digits) of places that are warm all year: Puerto Rico and
# the US Virgin Islands, south Florida, Hawaii, Guam and the other Pacific territories.
_TROPICAL_PREFIXES = frozenset(
    {"006", "007", "008", "009", "330", "331", "332", "333", "334", "339", "340", "349",
     "967", "968", "969"})

# Words that mean the shopper wants cold-weather gear, wherever they live.
_COLD_WORDS = frozenset({
    "winter", "ski", "skiing", "snow", "snowboard", "snowboarding", "cold", "freezing",
    "warm", "warmer", "insulated", "down", "parka", "thermal", "beanie", "gloves",
    "mittens", "fleece", "alps", "alaska", "canada", "iceland", "norway",
})

WINTER_PENALTY = 2.0
"""Subtracted from a winter product's score: more than a description match, less than a
name match, so a shopper in Miami who asks for "a jacket" sees rain shells first."""


def climate_for_postcode(postcode: str | None) -> Climate:
    digits = (postcode or "").strip()[:3]
    return "tropical" if digits in _TROPICAL_PREFIXES else "temperate"


def wants_cold_weather_gear(query: ShopperQuery) -> bool:
    words = {w.strip(".,!?").lower() for w in query.text.split()}
    return bool(words & _COLD_WORDS)


def season_penalty(season: str, climate: Climate, query: ShopperQuery) -> float:
    if climate == "tropical" and season == "winter" and not wants_cold_weather_gear(query):
        return WINTER_PENALTY
    return 0.0


def shopper_climate(*, session: Session, postcodes: Sequence[str], customer_id: str | None,
                    use_profile: bool) -> tuple[Climate, bool]:
    """The shopper's climate, and whether their profile was read to learn it (only with
    personalisation on, and only when they typed no postcode in this conversation)."""
    if postcodes:
        return climate_for_postcode(postcodes[-1]), False
    if use_profile and customer_id:
        customer = session.get(Customer, customer_id)
        if customer is not None and customer.postcode:
            return climate_for_postcode(customer.postcode), True
    return "temperate", False
