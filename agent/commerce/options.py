"""The store's own option vocabulary: every option name and value in `Variant.options`.

Any catalogue: tau-bench's "band material: leather" and "brightness: 75W equivalent", a
Shopify export's option columns, the demo store's size and colour.  Nothing here is a word
list written for one store: what the shopper's words can name is what the catalogue holds.

Words are compared as canonical tokens, so "Wi-Fi", "wifi" and "wi fi" are the same value,
and so are "13-inch", "13 inch" and '13"', "75W" and "75 watts", "grey" and "gray", "lenses"
and "lens".  A value is named whole ("75W equivalent") or by a distinctive part of it ("75W",
"rose gold" by "rose"); which option a word belongs to is settled per product
(`resolve`), because "black" is a colour on one product and a lens colour on another.

The vocabulary is read once per process and catalogue, and read again when the variants
change (their count or highest id), e.g. after `tandem import`.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.commerce.words import stem
from domain import catalogue_version
from domain.tables import Product, Variant

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?%?|[^\W\d_]+(?:'[a-z]+)?")
_INCH_MARK = re.compile(r"(\d)\s*[\"”″]")
# Unit words after a number, as stores and shoppers write them.
_UNITS = {
    "in": "inch", "inch": "inch", "inches": "inch", "ft": "ft", "feet": "ft", "foot": "ft",
    "w": "w", "watt": "w", "watts": "w", "l": "l", "liter": "l", "liters": "l", "litre": "l",
    "litres": "l", "ml": "ml", "gb": "gb", "tb": "tb", "mah": "mah", "h": "hour",
    "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour", "mp": "mp", "mm": "mm",
    "cm": "cm", "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb", "kg": "kg", "g": "g",
    "oz": "oz", "degree": "degree", "degrees": "degree", "piece": "piece", "pieces": "piece",
    "pc": "piece", "pcs": "piece", "cup": "cup", "cups": "cup",
}
# Spellings of the same word.
_SAME = {"gray": "grey", "colour": "color", "colours": "color", "colors": "color",
         "resistant": "resistance"}
# Parts of a value that say nothing on their own ("75W equivalent" is not named by
# "equivalent"; "brightness" not by "w").
_GENERIC = frozenset({
    "equivalent", "with", "and", "or", "of", "the", "for", "in", "on", "type", "style", "size",
    "color", "material", "level", "mode", "setting", "life", "card", "filter", "not", "one",
    "two", "three", "four", "it", "is", "are",
    *(_UNITS.values()),
})
# A value or option preceded by one of these is not asked for ("no leather", "not black").
_NEGATION = frozenset({"no", "not", "without", "except", "but", "sin", "ohne", "sans"})
_YES_NO = frozenset({"yes", "no", "true", "false"})
_NONE_VALUES = ("none", "no", "not resistant")
MAX_WINDOW = 6


def tokens(text: str) -> list[str]:
    """Canonical tokens: lower case, numbers apart from letters ("128GB" -> 128, gb), units
    after a number spelled one way, plurals stemmed."""
    out: list[str] = []
    for raw in _TOKEN.findall(_INCH_MARK.sub(r"\1 inch", text.lower())):
        if raw[0].isdigit():
            out.append(raw.replace(",", "."))
        elif out and out[-1][0].isdigit() and raw in _UNITS:
            out.append(_UNITS[raw])
        else:
            word = _SAME.get(raw, raw)
            if len(word) > 4 and word.endswith("ses"):
                word = word[:-2]  # "lenses" -> "lens", "glasses" -> "glass"
            out.append(_SAME.get(stem(word), stem(word)) if len(word) > 3 else word)
    return out


def _breaks(text: str) -> set[int]:
    """Token positions with a comma, semicolon or full stop before them."""
    raw = list(_TOKEN.finditer(_INCH_MARK.sub(r"\1 inch", text.lower())))
    source = _INCH_MARK.sub(r"\1 inch", text.lower())
    return {n for n in range(1, len(raw))
            if re.search(r"[,;.!?]", source[raw[n - 1].end():raw[n].start()])}


def _distance(value: tuple[int, int], name: tuple[int, int], breaks: set[int]) -> int:
    (i, j), (s, e) = value, name
    if s >= j:
        return s - j + (2 if any(b in breaks for b in range(j, s + 1)) else 0)
    return max(i - e, 0) + (2 if any(b in breaks for b in range(e, i + 1)) else 0)


def key(text: str) -> str:
    """The canonical form two spellings of one value share ("Wi-Fi" and "wifi": "wifi")."""
    return "".join(tokens(text))


def _distinctive(window: Sequence[str]) -> bool:
    """Whether part of a value names it on its own: a real word, or a number with its unit."""
    words = [t for t in window if not t[0].isdigit()]
    if any(len(t) > 1 and t not in _GENERIC for t in words):
        return True
    return len(window) > 1 and window[0][0].isdigit() and bool(words)


def colour_like(name: str) -> bool:
    """Whether an option is a colour ("color", "frame color", "Colour")."""
    return tokens(name)[-1:] == ["color"]


def _kind(name: str) -> str:
    """The last word of an option name: "frame color" and "color" are both colours."""
    parts = tokens(name)
    return parts[-1] if parts else name


@dataclass(frozen=True)
class Ask:
    """Shopper's words that name an option value somewhere in the catalogue."""

    words: str
    full: tuple[tuple[str, str], ...]
    """(option, value) pairs these words name whole."""
    partial: tuple[tuple[str, str], ...] = ()
    """(option, value) pairs they name a distinctive part of ("rose" of "rose gold")."""
    near: tuple[str, ...] = ()
    """Options named right beside them ("green lens": lens color)."""
    inner: tuple[tuple[str, str], ...] = ()
    """(option, value) pairs that shorter runs of these words name whole ("HEPA" inside
    "HEPA filter"), for a product that has none of the longer ones."""
    feature: bool = False
    """An option named as a feature ("waterproof", "no backlight"): it applies to a product
    whose values of that option are yes/no (or "none", when negated)."""

    def as_dict(self) -> dict[str, Any]:
        return {"words": self.words, "full": [list(p) for p in self.full],
                "partial": [list(p) for p in self.partial], "near": list(self.near),
                "inner": [list(p) for p in self.inner], "feature": self.feature}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ask:
        return cls(words=str(data["words"]),
                   full=tuple((str(n), str(v)) for n, v in data.get("full", [])),
                   partial=tuple((str(n), str(v)) for n, v in data.get("partial", [])),
                   near=tuple(str(n) for n in data.get("near", [])),
                   inner=tuple((str(n), str(v)) for n, v in data.get("inner", [])),
                   feature=bool(data.get("feature", False)))

    def names(self) -> set[str]:
        return {n for n, _ in (*self.full, *self.partial)}

    def accepts(self, value: str) -> bool:
        """Whether a variant's option value is one these words name (any option)."""
        wanted = key(value)
        return any(key(v) == wanted for _, v in (*self.full, *self.partial))


@dataclass
class Resolved:
    """The shopper's words read against one product's options."""

    asked: dict[str, str] = field(default_factory=dict)
    """Option -> value asked for (the store's spelling; the value may not exist here)."""
    missing: list[str] = field(default_factory=list)
    """Words naming something this product has no option for."""


@dataclass
class OptionVocabulary:
    """Every option name and value of the catalogue, per product and indexed for matching."""

    products: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Product id -> option name -> its values, in the store's own spelling and order."""
    product_words: dict[str, frozenset[str]] = field(default_factory=dict)
    """Product id -> the canonical words of its name and category."""
    product_names: tuple[str, ...] = ()
    """Every product's name as the store writes it (agent/commerce/product_names.py)."""
    _full: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    _partial: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    _names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, variants: Iterable[tuple[str, dict[str, Any]]],
              products: Iterable[tuple[str, str]] = ()) -> OptionVocabulary:
        """From (product id, options) of every variant and (product id, name and category)
        of every product."""
        vocab = cls()
        vocab.product_words = {pid: frozenset(tokens(words)) for pid, words in products}
        for product_id, options in variants:
            per_product = vocab.products.setdefault(product_id, {})
            for name, value in options.items():
                if value is None or str(value).strip() == "":
                    continue
                values = per_product.setdefault(str(name), [])
                if str(value) not in values:
                    values.append(str(value))
        for per_product in vocab.products.values():
            for name, values in per_product.items():
                vocab._index_name(name)
                for value in values:
                    vocab._index_value(name, value)
        return vocab

    def _index_value(self, name: str, value: str) -> None:
        parts = tokens(value)
        if not parts or (len(parts) == 1 and len(parts[0]) == 1 and not parts[0].isdigit()):
            return  # a one-letter value ("M") is only read as a size ("size M", "in M")
        self._full["".join(parts)].add((name, value))
        for i in range(len(parts)):
            for j in range(i + 1, min(len(parts), i + MAX_WINDOW) + 1):
                if (j - i) < len(parts) and _distinctive(parts[i:j]):
                    self._partial["".join(parts[i:j])].add((name, value))

    def _index_name(self, name: str) -> None:
        parts = tokens(name)
        self._names["".join(parts)].add(name)
        for part in parts:
            if len(part) > 2 and part not in _GENERIC:
                self._names[part].add(name)

    @property
    def name_words(self) -> set[str]:
        """Words of every product's name and category."""
        return set().union(*self.product_words.values()) if self.product_words else set()

    @property
    def names(self) -> set[str]:
        return {n for options in self.products.values() for n in options}

    def values_of(self, name: str) -> set[str]:
        return {v for options in self.products.values() for v in options.get(name, [])}

    def find(self, text: str) -> list[Ask]:
        """The option values the text names (longest match first), without negated ones."""
        parts = tokens(text)
        breaks = _breaks(text)
        names_at = self._name_spans(parts)
        found: list[Ask] = []
        i = 0
        while i < len(parts):
            hit = next(((j, k) for j in range(min(len(parts), i + MAX_WINDOW), i, -1)
                        if (k := "".join(parts[i:j])) in self._full or k in self._partial),
                       None)
            if hit is None:
                i += 1
                continue
            j, k = hit
            if not (i > 0 and parts[i - 1] in _NEGATION):
                # Options named beside the words, nearest first ("black lenses": lens); a
                # comma between them is a step further ("black frame, brown lens": the
                # brown is the lens's), and at equal steps the name after the value wins.
                near = [n for *_, n in sorted(
                    (_distance((i, j), (s, e), breaks), s < i, n)
                    for (s, e), ns in names_at.items()
                    if s - 2 <= j and e + 2 >= i for n in ns)]
                inner = {p for a in range(i, j) for b in range(a + 1, j + 1)
                         if (a, b) != (i, j) for p in self._full.get("".join(parts[a:b]), ())}
                found.append(Ask(words=" ".join(parts[i:j]),
                                 full=tuple(sorted(self._full.get(k, ()))),
                                 partial=tuple(sorted(self._partial.get(k, ()))),
                                 near=tuple(near), inner=tuple(sorted(inner))))
            i = j
        found += self._feature_asks(parts, names_at)
        return found

    def _name_spans(self, parts: list[str]) -> dict[tuple[int, int], set[str]]:
        spans: dict[tuple[int, int], set[str]] = {}
        i = 0
        while i < len(parts):
            for j in range(min(len(parts), i + 3), i, -1):
                if (names := self._names.get("".join(parts[i:j]))) is not None:
                    spans[(i, j)] = set(names)
                    i = j - 1
                    break
            i += 1
        return spans

    def _feature_asks(self, parts: list[str],
                      names_at: dict[tuple[int, int], set[str]]) -> list[Ask]:
        """Options named whole as features: "waterproof", "with water resistance", "no
        backlight" ("none"), "not waterproof"; which applies is settled per product."""
        asks: list[Ask] = []
        for (start, end), names in names_at.items():
            whole = [n for n in sorted(names) if "".join(parts[start:end]) == key(n)]
            if not whole:
                continue
            negated = (start > 0 and parts[start - 1] in _NEGATION) or (
                end < len(parts) and parts[end] in ("no", "false"))  # "waterproof: no"
            wanted = ("no", "false", *_NONE_VALUES) if negated else ("yes", "true")
            pairs = [(n, v) for n in whole for v in sorted(self.values_of(n))
                     if v.lower() in wanted]
            if pairs:
                asks.append(Ask(words=" ".join(parts[max(0, start - negated):end]),
                                full=tuple(pairs), feature=True))
        return asks

    def resolve(self, product_id: str, asks: Iterable[Ask]) -> Resolved:
        """What the asks mean for one product: option -> value (later words win)."""
        options = self.products.get(product_id, {})
        own_words = self.product_words.get(product_id, frozenset())
        option_words = {t for n in options for t in tokens(n)}
        result = Resolved()
        for ask in asks:
            words = set(ask.words.split())
            if ask.feature:
                for name, value in ask.full:
                    if value in options.get(name, ()) and (value.lower() in _NONE_VALUES or {
                            v.lower() for v in options[name]} <= _YES_NO):
                        result.asked[name] = value
                        break
                continue
            if words <= own_words or words <= _YES_NO:
                continue  # "wireless" in "Wireless Earbuds" names the product, not an option
            here = [(n, v) for n, v in ask.full if v in options.get(n, ())]
            if not here and words <= option_words:
                continue  # "battery" in "8 hours battery": the option's name, not a value
            if not here:
                part = [(n, v) for n, v in ask.partial if v in options.get(n, ())]
                if len({v for _, v in part}) > 1:
                    continue  # "ssd" with three SSD sizes: not a choice, so no constraint
                # "HEPA" inside "HEPA filter type", when the other words name the option;
                # not "gold" inside "rose gold", which is another colour.
                here = part or [(n, v) for n, v in ask.inner if v in options.get(n, ())
                                and words - set(tokens(v)) <= option_words | _GENERIC]
            if here:
                near = sorted((p for p in here if p[0] in ask.near),
                              key=lambda p: ask.near.index(p[0]))
                chosen = (near or sorted(here, key=lambda p: list(options).index(p[0])))[0]
                result.asked[chosen[0]] = chosen[1]
                continue
            # A value this product lacks, of an option it has ("gold" for a watch that comes
            # in black and silver): asked, and honestly not there.
            for name, value in ask.full or ask.partial:
                same = [n for n in options if n == name] or [
                    n for n in options if _kind(n) == _kind(name)]
                if same:
                    result.asked[same[0]] = value
                    break
            else:
                result.missing.append(ask.words)
        return result


def variant_matches(options: dict[str, Any], asked: dict[str, str]) -> bool:
    """Whether a variant has exactly the asked value of every asked option."""
    return all(key(str(options.get(n) or "")) == key(v) for n, v in asked.items())


def differences(options: dict[str, Any], asked: dict[str, str]) -> list[tuple[str, str, str]]:
    """(option, this variant's value, the value asked) for each asked option it differs on."""
    return [(n, str(options.get(n) or ""), v) for n, v in asked.items()
            if key(str(options.get(n) or "")) != key(v)]


_CACHE: dict[tuple[str, int], OptionVocabulary] = {}
_CACHE_LOCK = threading.Lock()


def vocabulary(session: Session) -> OptionVocabulary:
    """The catalogue's vocabulary, read again only when the catalogue changed: its version
    (domain/catalogue_version.py) is one primary-key read, where counting the variants
    scanned the table and missed an edited option."""
    bind = session.get_bind()
    url = bind.url if isinstance(bind, Engine) else bind.engine.url
    cache_key = (str(url), catalogue_version.current(session))
    # A change this session has not committed yet is its own: built for it, never kept.
    changed = bool(session.info.get(catalogue_version.CHANGED_KEY))
    with _CACHE_LOCK:
        if not changed and (found := _CACHE.get(cache_key)) is not None:
            return found
    rows = session.exec(select(Variant.product_id, Variant.options, Variant.size,
                               Variant.color)).all()
    products = session.exec(select(Product.id, Product.name, Product.category)).all()
    built = OptionVocabulary.build(
        ((pid, _with_columns(dict(opts or {}), size, color)) for pid, opts, size, color in rows),
        ((pid, f"{name} {category}") for pid, name, category in products))
    built.product_names = tuple(sorted({name for _, name, _ in products}))
    if changed:
        return built
    with _CACHE_LOCK:
        stale = [k for k in _CACHE if k[0] == cache_key[0]]
        for k in stale:
            del _CACHE[k]
        _CACHE[cache_key] = built
    return built


def _with_columns(options: dict[str, Any], size: str | None,
                  color: str | None) -> dict[str, Any]:
    """A row's options, with the size and colour columns when its options lack them (stores
    imported before options were kept)."""
    names = {key(str(n)) for n in options}
    if size and "size" not in names:
        options["size"] = size
    if color and "color" not in names:
        options["color"] = color
    return options
