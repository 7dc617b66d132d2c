"""Reads a shopper's message into search terms and hard constraints (size, colour, budget).

Rules, not the model: these are facts the shopper typed, and every one of them becomes
evidence for a "because you..." line, so they must be exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

COLOURS = (
    "black", "white", "grey", "gray", "blue", "navy", "red", "green", "olive", "yellow",
    "orange", "purple", "pink", "brown", "tan", "beige", "teal", "charcoal", "khaki",
)
_COLOUR_CANON = {"gray": "grey"}
_SIZE_WORDS = {
    "extra small": "XS", "x-small": "XS", "small": "S", "medium": "M", "large": "L",
    "extra large": "XL", "x-large": "XL", "xx-large": "XXL",
}
_STOPWORDS = frozenset({
    "a", "an", "the", "i", "im", "i'm", "me", "my", "for", "to", "of", "and", "or", "in",
    "on", "with", "some", "any", "something", "looking", "look", "want", "need", "would",
    "like", "please", "can", "you", "show", "find", "get", "have", "do", "does", "is",
    "are", "it", "its", "this", "that", "buy", "under", "below", "less", "than", "over",
    "above", "about", "around", "up", "budget", "max", "maximum", "size", "sizes",
    "colour", "color", "usd", "dollars", "dollar", "hi", "hello", "hey", "there", "am",
    "just", "also", "good", "nice", "new", "pair", "which", "what", "recommend",
    "suggest", "suggestion", "got", "one", "ones", "much", "cost", "costs", "price",
    "usually", "normally", "wear", "where", "when", "how",
    # Contractions: "what's good for..." asks about what follows, not about "what's".
    "what's", "it's", "that's", "there's", "here's", "i'd", "i'll", "i've", "you're",
    "we're", "don't", "doesn't", "can't", "let's",
})

_BUDGET_MAX = re.compile(
    r"(?:under|below|less than|no more than|max(?:imum)?|up to|<)\s*\$?\s*(\d+(?:\.\d{1,2})?)",
    re.IGNORECASE,
)
_BUDGET_RANGE = re.compile(
    r"\$\s*(\d+(?:\.\d{1,2})?)\s*(?:-|to)\s*\$?\s*(\d+(?:\.\d{1,2})?)", re.IGNORECASE
)
_SIZE = re.compile(
    r"\b(?:size|sz|in a|i'?m (?:usually |normally )?a|i wear (?:a )?)\s*"
    r"(xxs|xs|s|m|l|xl|xxl|\d{1,2}(?:\.5)?)\b",
    re.IGNORECASE,
)
_SIZE_IN = re.compile(r"\bin (xxs|xs|xl|xxl|s|m|l)\b", re.IGNORECASE)
_SIZE_WORD = re.compile(
    r"\b(extra small|x-small|small|medium|large|extra large|x-large|xx-large)\b", re.IGNORECASE)
# "Runs small" or "too big" is about a product's fit, not the shopper's size.
_FIT_WORDS = re.compile(
    r"\b(runs?|running|fits?|fitting|comes? up|too|a bit|a little|slightly)\s+"
    r"(small|large|big)\b", re.IGNORECASE)
_ORDER_ID = re.compile(r"#?\b([A-Z]\d{5,8})\b", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_POSTCODE = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
_WORD = re.compile(r"[a-z][a-z'-]+")


@dataclass
class ShopperQuery:
    """What the shopper asked for, in their own words, plus the hard constraints."""

    text: str
    terms: list[str] = field(default_factory=list)
    size: str | None = None
    color: str | None = None
    max_price: float | None = None
    min_price: float | None = None

    @property
    def has_constraints(self) -> bool:
        return any(v is not None for v in (self.size, self.color, self.max_price,
                                           self.min_price))

    def constraint_phrases(self) -> list[str]:
        """The constraints as the shopper would say them, for explanations."""
        phrases: list[str] = []
        if self.max_price is not None and self.min_price is not None:
            phrases.append(f"${self.min_price:g}-${self.max_price:g}")
        elif self.max_price is not None:
            phrases.append(f"under ${self.max_price:g}")
        return phrases


def parse_query(text: str) -> ShopperQuery:
    query = ShopperQuery(text=text)
    lowered = text.lower()
    if match := _BUDGET_RANGE.search(text):
        low, high = sorted((float(match.group(1)), float(match.group(2))))
        query.min_price, query.max_price = low, high
    elif match := _BUDGET_MAX.search(text):
        query.max_price = float(match.group(1))
    sized = _FIT_WORDS.sub(" ", lowered)
    if (match := _SIZE.search(text)) or (match := _SIZE_IN.search(text)):
        query.size = match.group(1).upper()
    elif match := _SIZE_WORD.search(sized):
        query.size = _SIZE_WORDS[match.group(1).lower()]
    for colour in COLOURS:
        if re.search(rf"\b{colour}\b", lowered):
            query.color = _COLOUR_CANON.get(colour, colour)
            break
    size_word = _SIZE_WORD.search(sized)
    skip = {size_word.group(1)} if size_word else set()
    query.terms = [
        w.strip("'-") for w in _WORD.findall(lowered)
        if w not in _STOPWORDS and w not in skip and w not in COLOURS and len(w) > 2
    ]
    return query


def refine(previous: ShopperQuery, follow_up: ShopperQuery, *,
           keep_terms: bool) -> ShopperQuery:
    """The previous search with a follow-up's constraints laid over it: "no, the blue one"
    changes the colour and keeps the product, size and budget asked for before.

    `keep_terms` keeps the previous product words (the follow-up names no product of its
    own); otherwise the follow-up's words replace them ("actually, the Cascade in blue").
    A new budget replaces the old one whole: "under $300" after "$100 to $150" means under
    $300, not $100 to $300."""
    merged = ShopperQuery(
        text=f"{previous.text}; {follow_up.text}" if keep_terms else follow_up.text,
        terms=list(previous.terms if keep_terms else follow_up.terms),
        size=follow_up.size or previous.size, color=follow_up.color or previous.color,
        min_price=previous.min_price, max_price=previous.max_price)
    if follow_up.max_price is not None or follow_up.min_price is not None:
        merged.min_price, merged.max_price = follow_up.min_price, follow_up.max_price
    return merged


def find_order_id(text: str) -> str | None:
    match = _ORDER_ID.search(text)
    return f"#{match.group(1).upper()}" if match else None


def find_email(text: str) -> str | None:
    match = _EMAIL.search(text)
    return match.group(0).strip().lower() if match else None


def find_postcode(text: str) -> str | None:
    # An order id like #R10023 also holds five digits; only count free-standing numbers.
    stripped = _ORDER_ID.sub(" ", text)
    match = _POSTCODE.search(stripped)
    return match.group(1) if match else None
