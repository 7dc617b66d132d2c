"""Reads a shopper's message into search terms and hard constraints: size, budget, and the
option values it names (colour, material, capacity...), read from the store's own option
vocabulary (agent/commerce/options.py), never from a word list.

Rules, not the model: these are facts the shopper typed, and every one of them becomes
evidence for a "because you..." line, so they must be exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.commerce.options import Ask, OptionVocabulary, colour_like, tokens
from agent.i18n import colour_words

# Letter sizes and the words for them (apparel convention, any store).
SIZE_WORDS = {
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
    r"\b(?:size|sz|in a|i'?m (?:usually |normally )?a|i wear (?:a )?|talla|gr(?:ö|oe)(?:ß|ss)e|"
    r"taille|pointure|numero|número)\s*"
    r"(xxs|xs|s|m|l|xl|xxl|\d{1,2}(?:[.,]5)?)\b",
    re.IGNORECASE,
)
_SIZE_IN = re.compile(r"\bin (xxs|xs|xl|xxl|s|m|l)\b", re.IGNORECASE)
_SIZE_BEFORE = re.compile(r"\b(xxs|xs|xl|xxl|s|m|l)\s+size\b", re.IGNORECASE)
# A capital letter size standing alone ("T-shirt red L cotton"); case matters here.
_SIZE_LETTER = re.compile(r"(?<![\w'-])(XXS|XS|XL|XXL|S|M|L)(?![\w'-])")
# "screen size 13-inch", "size 10 ft": a measure, not a size worn.
_MEASURE_AFTER = re.compile(r"\s*-?\s*(inch|in\b(?!\s+[a-z])|\"|ft\b|feet|cm\b|mm\b|%|gb\b|ml\b|"
                            r"l\b(?!\s+[a-z]))",
                            re.IGNORECASE)
_SIZE_WORD = re.compile(
    r"\b(extra small|x-small|small|medium|large|extra large|x-large|xx-large)\b", re.IGNORECASE)
# "Runs small" or "too big" is about a product's fit, not the shopper's size.
_FIT_WORDS = re.compile(
    r"\b(runs?|running|fits?|fitting|comes? up|too|a bit|a little|slightly)\s+"
    r"(small|large|big)\b", re.IGNORECASE)
_ORDER_ID = re.compile(r"#?\b([A-Z]\d{5,8})\b", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_POSTCODE = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['-])+")


def same_size(a: str | None, b: str | None) -> bool:
    """Whether two sizes are one: "L" and "large", "9,5" and "9.5", "m" and "M"."""
    if a is None or b is None:
        return False
    return _size_key(a) == _size_key(b)


def _size_key(size: str) -> str:
    plain = size.strip().lower().replace(",", ".")
    return SIZE_WORDS.get(plain, plain.upper())


@dataclass
class ShopperQuery:
    """What the shopper asked for, in their own words, plus the hard constraints."""

    text: str
    terms: list[str] = field(default_factory=list)
    size: str | None = None
    color: str | None = None
    """The colour asked for, lower case (also among `options`; kept for explanations)."""
    max_price: float | None = None
    min_price: float | None = None
    options: list[dict[str, Any]] = field(default_factory=list)
    """Option values the shopper named, as `Ask.as_dict()` (JSON, kept in the state)."""
    language: str = "en"
    """The language the words are in: other than English, the catalogue's keywords rarely
    meet them and meaning decides more (agent/commerce/catalog.py)."""

    @property
    def has_constraints(self) -> bool:
        return bool(self.options) or any(
            v is not None for v in (self.size, self.color, self.max_price, self.min_price))

    @property
    def asks(self) -> list[Ask]:
        return [Ask.from_dict(a) for a in self.options]

    def constraint_phrases(self) -> list[str]:
        """The constraints as the shopper would say them, for explanations."""
        phrases: list[str] = []
        if self.max_price is not None and self.min_price is not None:
            phrases.append(f"${self.min_price:g}-${self.max_price:g}")
        elif self.max_price is not None:
            phrases.append(f"under ${self.max_price:g}")
        return phrases


def _is_size(ask: Ask) -> bool:
    return all(tokens(n)[-1:] == ["size"] for n in ask.names())


def _size(text: str, sized: str, vocabulary: OptionVocabulary | None) -> str | None:
    """The size the shopper wears or wants, if they said one."""
    qualified = {n.lower() for n in vocabulary.names} if vocabulary is not None else set()
    for match in (*_SIZE.finditer(text), *_SIZE_IN.finditer(text),
                  *_SIZE_BEFORE.finditer(text)):
        if _MEASURE_AFTER.match(text, match.end()):
            continue
        before = text[:match.start()].lower().split()[-1:]
        if before and f"{before[0]} size" in qualified:
            continue  # "screen size 13": another option of the product, not a size worn
        return match.group(1).upper().replace(",", ".")
    if letter := _SIZE_LETTER.search(text):
        return letter.group(1)
    if word := _SIZE_WORD.search(sized):
        return SIZE_WORDS[word.group(1).lower()]
    return None


def in_catalogue_words(text: str, language: str) -> str:
    """The message with its colour words in English, the language catalogues' option values
    are written in ("chaqueta en negro" -> "chaqueta en black"); English text is unchanged."""
    if language == "en":
        return text
    for word, english in sorted(colour_words(language).items(), key=lambda w: -len(w[0])):
        if word != english:
            text = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", english, text,
                          flags=re.IGNORECASE)
    return text


def parse_query(text: str, vocabulary: OptionVocabulary | None = None,
                language: str = "en") -> ShopperQuery:
    """The message's terms and constraints; option values are read only with the store's
    `vocabulary` (without it, size and budget alone).  In Spanish, German or French the
    colour words are read as the English ones catalogues use."""
    query = ShopperQuery(text=text, language=language)
    text = in_catalogue_words(text, language)
    lowered = text.lower()
    if match := _BUDGET_RANGE.search(text):
        low, high = sorted((float(match.group(1)), float(match.group(2))))
        query.min_price, query.max_price = low, high
    elif match := _BUDGET_MAX.search(text):
        query.max_price = float(match.group(1))
    sized = _FIT_WORDS.sub(" ", lowered)
    query.size = _size(text, sized, vocabulary)
    option_words: set[str] = set()
    if vocabulary is not None:
        # Prices are not option values ("under 100" is no "100" anything).
        plain = _BUDGET_RANGE.sub(" ", _BUDGET_MAX.sub(" ", _ORDER_ID.sub(" ", text)))
        asks = vocabulary.find(plain)
        query.options = [a.as_dict() for a in asks]
        colours = [a for a in asks if any(colour_like(n) for n in a.names())]
        if colours:
            first = colours[0]
            query.color = (first.full[0][1] if first.full else first.words).lower()
        # Option words are constraints, not search terms, unless they also name a product
        # ("laptop" is a backpack's compartment and a product).
        option_words = {w for a in asks for w in a.words.split()} - vocabulary.name_words
    size_word = _SIZE_WORD.search(sized)
    skip = {size_word.group(1)} if size_word else set()
    query.terms = [
        w.strip("'-") for w in _WORD.findall(lowered)
        if w not in _STOPWORDS and w not in skip and len(w) > 2
        and not set(tokens(w)) & option_words
    ]
    return query


def refine(previous: ShopperQuery, follow_up: ShopperQuery, *,
           keep_terms: bool) -> ShopperQuery:
    """The previous search with a follow-up's constraints laid over it: "no, the blue one"
    changes the colour and keeps the product, size and budget asked for before.

    `keep_terms` keeps the previous product words (the follow-up names no product of its
    own); otherwise the follow-up's words replace them ("actually, the Cascade in blue").
    A new value of an option replaces the old one ("green instead" after "red"); a new
    budget replaces the old one whole: "under $300" after "$100 to $150" means under
    $300, not $100 to $300."""
    new_asks = follow_up.asks
    replaced = set().union(*(a.names() for a in new_asks)) if new_asks else set()
    kept = [a for a in previous.asks if not a.names() & replaced
            and not (follow_up.size and _is_size(a))]
    merged = ShopperQuery(
        text=f"{previous.text}; {follow_up.text}" if keep_terms else follow_up.text,
        terms=list(previous.terms if keep_terms else follow_up.terms),
        size=follow_up.size or previous.size, color=follow_up.color or previous.color,
        min_price=previous.min_price, max_price=previous.max_price,
        options=[a.as_dict() for a in (*kept, *new_asks)], language=follow_up.language)
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
