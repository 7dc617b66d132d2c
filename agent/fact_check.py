"""Facts a model's text states that can be checked word for word against what it was given.

A small model phrasing a reply or a summary can invent an order id, an amount, a tracking
number or a date; a shopper or an agent acting on one is misled.  These are the facts that
can be checked without understanding the sentence: each must appear in the sources (the
transcript, or the facts the graph fetched), or the text is not used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FACT_PATTERNS = {
    "order id": re.compile(r"#?\b[A-Z]\d{5,8}\b"),
    "amount": re.compile(r"\$\s?\d[\d,]*(?:\.\d{1,2})?"),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    # Tracking ids and the like: 8+ capitals and digits with a digit, dashes allowed inside
    # ("1Z999AA10123456784", "R10550-123456").
    "number": re.compile(r"\b(?=[0-9A-Z-]*\d)[0-9A-Z][0-9A-Z-]{6,}[0-9A-Z]\b"),
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_DAY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})"
    r"(?:st|nd|rd|th)?\b", re.IGNORECASE)
_DAY_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|"
    r"nov|dec)[a-z]*\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b\d{4}-(\d{2})-(\d{2})\b")


def _normal(fact: str) -> str:
    return re.sub(r"[\s,#$-]", "", fact).lower().removesuffix(".00")


def _dates(text: str) -> set[tuple[int, int]]:
    """(month, day) of every calendar date written in `text`."""
    found = {(_MONTHS.index(m.group(1).lower()[:3]) + 1, int(m.group(2)))
             for m in _MONTH_DAY.finditer(text)}
    found |= {(_MONTHS.index(m.group(2).lower()[:3]) + 1, int(m.group(1)))
              for m in _DAY_MONTH.finditer(text)}
    found |= {(int(m.group(1)), int(m.group(2))) for m in _ISO_DATE.finditer(text)}
    return found


def unsupported_facts(texts: Iterable[str], sources: Iterable[str], *,
                      dates: bool = False) -> list[str]:
    """The checkable facts in `texts` that no source mentions (dates too, when asked:
    a summary may quote the shopper's dates loosely, a reply must not invent one)."""
    known_text = " ".join(sources)
    known = {_normal(m.group(0)) for pattern in _FACT_PATTERNS.values()
             for m in pattern.finditer(known_text)}
    known_dates = _dates(known_text) if dates else set()
    missing: list[str] = []
    for text in texts:
        for kind, pattern in _FACT_PATTERNS.items():
            for match in pattern.finditer(text):
                if _normal(match.group(0)) not in known:
                    missing.append(f"{kind} {match.group(0).strip()}")
        if dates:
            missing += [f"date {month}/{day}" for month, day in sorted(_dates(text) - known_dates)]
    return missing
