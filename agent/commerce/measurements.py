"""Body measurements a shopper types ("5'6\"", "140 lbs", "my chest is 40 inches"), in inches
and pounds.  Rules, not the model: a size advised from them is quoted back as evidence."""

from __future__ import annotations

import re

_CM_PER_IN = 2.54
_LB_PER_KG = 2.20462

# Phones type curly quotes: 5\u2019 6\u201d is 5' 6".
_FEET = re.compile(r"\b([4-7])\s*(?:'|\u2019|ft\.?|feet|foot)\s*"
                   r"(?:(\d{1,2})\s*(?:\"|\u201d|''|in\b|inches)?)?", re.IGNORECASE)
_HEIGHT_CM = re.compile(r"\b(1[4-9]\d|2[0-1]\d)\s*cm\b", re.IGNORECASE)
_HEIGHT_M = re.compile(r"\b(1\.\d{1,2})\s*m\b", re.IGNORECASE)
_WEIGHT = re.compile(r"\b(\d{2,3}(?:\.\d)?)\s*(lbs?|pounds|kg|kilos?)\b", re.IGNORECASE)
_PART = "chest|bust|waist|hips?"
_PART_FIRST = re.compile(
    rf"\b({_PART})\b[\s:=]*(?:(?:is|of|measures?|measurement|size|around|about)[\s:=]+)*"
    rf"(\d{{2,3}}(?:\.\d)?)\s*(cm|in\b|inch(?:es)?|\"|\u201d)?",
    re.IGNORECASE)
_NUMBER_FIRST = re.compile(
    rf"\b(\d{{2,3}}(?:\.\d)?)\s*(cm|in\b|inch(?:es)?|\"|\u201d)?\s*({_PART})\b", re.IGNORECASE)


def parse_body(text: str) -> dict[str, float]:
    """Measurements found in `text`: `height_in`, `weight_lbs`, and `chest`, `bust`, `waist`,
    `hip` in inches (the names size charts use for their `measure`)."""
    found: dict[str, float] = {}
    if match := _FEET.search(text):
        found["height_in"] = int(match.group(1)) * 12 + int(match.group(2) or 0)
    elif match := _HEIGHT_CM.search(text):
        found["height_in"] = round(int(match.group(1)) / _CM_PER_IN, 1)
    elif match := _HEIGHT_M.search(text):
        found["height_in"] = round(float(match.group(1)) * 100 / _CM_PER_IN, 1)
    if match := _WEIGHT.search(text):
        value = float(match.group(1))
        kilos = match.group(2).lower().startswith("k")
        found["weight_lbs"] = round(value * _LB_PER_KG, 1) if kilos else value
    for match in _PART_FIRST.finditer(text):
        _add_measurement(found, match.group(1), match.group(2), match.group(3))
    for match in _NUMBER_FIRST.finditer(text):
        _add_measurement(found, match.group(3), match.group(1), match.group(2))
    return found


def _add_measurement(found: dict[str, float], part: str, number: str, unit: str | None) -> None:
    name = part.lower().rstrip("s") if part.lower().startswith("hip") else part.lower()
    value = float(number)
    if unit and unit.lower() == "cm":
        value = round(value / _CM_PER_IN, 1)
    found.setdefault(name, value)
