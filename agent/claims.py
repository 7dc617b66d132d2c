"""The claims a reply makes about what the store has, each checked against the turn's
cards and the facts the graph fetched.

A reply can say a size, a colour, any catalogue option value ("leather band", "Wi-Fi",
"75W equivalent"), that something is in stock or is not, how many options or units there
are, when it arrives, and a measure ("900 g").  Each is read out of the text sentence by
sentence; a sentence that names exactly one card's product is held to that product's cards
("the Ember jacket in size M" when the Ember card is size L is false even if another card
is an M).  Prices, order ids, tracking ids and dates are checked by agent/fact_check.py.

The same extraction serves the reply check (agent/reply_check.py: a model reply with an
unsupported claim is withdrawn) and the eval's claim scorer (evals/scorers/claims.py), so
what the scorer counts as false is exactly what the assistant would refuse to say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.commerce.options import Ask, OptionVocabulary, key, tokens
from agent.commerce.query import same_size
from agent.i18n import colour_words, everyday_words

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_SIZE_LIST = re.compile(
    r"\b(?:sizes?|tallas?|gr(?:ö|oe)(?:ß|ss)en?|tailles?|pointures?)\s+"
    r"((?:(?:XXS|XS|XXL|XL|\dXL|S|M|L|\d{1,2}(?:[.,]5)?)\b(?:\s*(?:,|and|or|y|o|und|oder|et|ou|"
    r"/|to|-)\s*)*)+)", re.IGNORECASE)
_SIZE_TOKEN = re.compile(r"\b(XXS|XS|XXL|XL|\dXL|S|M|L|\d{1,2}(?:[.,]5)?)\b", re.IGNORECASE)
_SIZE_ALONE = re.compile(r"(?<![\w-])(XXS|XS|XXL|XL|[2-5]XL)(?![\w-])")
_NOT_IN_STOCK = re.compile(
    r"\b(out of stock|sold out|not (?:in stock|available)|unavailable|no longer|"
    r"couldn't find|could not find|no he encontrado|nichts .{0,30}gefunden|n'ai rien trouvé|"
    r"no (?:tengo|tenemos|hay|queda|quedan)|(?:nicht|kein\w*) (?:mehr )?(?:in stock|auf lager|"
    r"vorrätig|verfügbar)|leider nicht|(?:n'ai|n'avons|n'est|ne sont|n'y a) (?:pas|plus|rien)|"
    r"(?:don't|do not|doesn't|does not|didn't) (?:have|carry|come)|(?:isn't|aren't|is not|"
    r"are not) (?:in stock|available)|none (?:left|in stock)|no tenemos|agotad[oa]s?|"
    r"no (?:está|están|hay) disponibles?|nicht (?:vorrätig|verfügbar|auf lager)|ausverkauft|"
    r"haben (?:wir )?(?:es |ihn |sie )?(?:leider )?nicht|n'avons pas|épuisée?s?|"
    r"(?:pas|plus) disponibles?|rupture de stock)\b", re.IGNORECASE)
_INSTEAD = re.compile(r"\b(instead of|rather than|en lugar de|en vez de|statt|anstelle|"
                      r"au lieu de)\b", re.IGNORECASE)
# Where a sentence turns from what is missing to what there is ("not in gold, but silver").
_CONTRAST = re.compile(r"[,;]?\s*\b(?:but|however|though|although|instead|only|pero|sino|"
                       r"solo|sólo|aber|sondern|nur|mais|seulement)\b", re.IGNORECASE)
_IN_STOCK = re.compile(
    r"\b(in stock|available|we (?:do )?have|we've got|we carry|yes,? we|en stock|disponibles?|"
    r"tenemos|hay|auf lager|vorrätig|verfügbar|haben wir|wir haben|nous avons)\b",
    re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "un": 1, "une": 1,
            "dos": 2, "tres": 3, "deux": 2, "trois": 3, "zwei": 2, "drei": 3, "ein": 1,
            "eine": 1}
_COUNT = re.compile(
    r"\b(\d+|one|two|three|four|five|six|dos|tres|deux|trois|zwei|drei)\s+"
    r"(?:great |good |other |more )?(options?|products?|items?|choices?|picks?|suggestions?|"
    r"opciones|productos|optionen|produkte|produits)\b", re.IGNORECASE)
_LEFT = re.compile(r"\b(?:only |just )?(\d+)\s+(?:units? )?(?:left|remaining)\b", re.IGNORECASE)
_WHEN = re.compile(
    r"\b(tomorrow|today|tonight|(?:next|this) week|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|mañana|morgen|demain|(?:in )?(?:about |around |roughly )?"
    r"(\d+)(?:\s*(?:-|to)\s*\d+)?\s+(?:business |working )?(?:days?|días|tagen?|jours))\b",
    re.IGNORECASE)
_DELIVERY = re.compile(
    r"\b(deliver\w*|arriv\w*|ship\w*|dispatch\w*|get it|receive|entreg\w*|lleg\w*|env[ií]\w*|"
    r"liefer\w*|zugestellt|versand\w*|ankomm\w*|livr\w*|exp[ée]di\w*|re[çc]\w*)\b",
    re.IGNORECASE)
_MEASURE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(?:g|kg|lbs?|pounds?|oz|ounces?|mm|cm|ml|l|liters?|litres?|inch(?:es)?|"
    r"ft|feet|mah|w|watts?|gb|tb|hours?|hrs?|degrees?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    kind: str
    """size, colour, option, in_stock, not_in_stock, count, units_left, delivery, measure"""
    words: str
    """What the reply says, as it says it."""
    product: str | None = None
    """The one card product named in the same sentence, if the sentence names exactly one."""
    negated: bool = False
    """Said in a sentence that says something is not there ("we don't have it in gold"):
    what the shopper asked for may be repeated there."""
    sentence: int = 0


@dataclass
class TurnFacts:
    """What a reply may rest on: the turn's cards and the facts the graph fetched."""

    cards: list[dict[str, Any]] = field(default_factory=list)
    """Suggestions shown: name, price, size, color, options, stock_note, in_stock."""
    texts: list[str] = field(default_factory=list)
    """Every other fact as text (product descriptions quoted, sizes advised, stock notes)."""
    asked: list[str] = field(default_factory=list)
    """What the shopper asked for (the query and its constraints): a reply may say it is
    not there, never that it is."""
    unavailable: bool = False
    """The facts say something asked for is sold out, not offered, or matched nothing."""

    @classmethod
    def from_turn(cls, facts: dict[str, Any], cards: Sequence[dict[str, Any]]) -> TurnFacts:
        asked_keys = ("query", "constraints")
        variant = facts.get("variant") or {}
        return cls(
            cards=[dict(c) for c in cards],
            texts=list(_strings({k: v for k, v in facts.items()
                                 if not k.startswith("_") and k not in asked_keys})),
            asked=list(_strings({k: facts.get(k) for k in asked_keys})),
            unavailable=bool(facts.get("sold_out") or facts.get("no_match")
                             or facts.get("inventory_unavailable")
                             or variant.get("status") not in (None, "in_stock")
                             or any(c.get("alternative") for c in cards)))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _sentences(reply: str) -> list[str]:
    return [s for s in _SENTENCE.split(reply) if s.strip()]


def _named(sentence: str, names: Iterable[str]) -> tuple[str, list[str]]:
    """The sentence with card product names blanked out, and the names it mentions."""
    found: list[str] = []
    for name in sorted(set(names), key=len, reverse=True):
        pattern = re.compile(re.escape(name), re.IGNORECASE)
        if pattern.search(sentence):
            found.append(name)
            sentence = pattern.sub(" ", sentence)
    return sentence, found


def extract_claims(reply: str, *, names: Iterable[str] = (),
                   vocabulary: OptionVocabulary | None = None,
                   language: str = "en") -> list[Claim]:
    """Every checkable claim of the reply (product names themselves are not claims here)."""
    colours = colour_words(language)
    everyday = everyday_words()
    name_words = set().union(*(tokens(n) for n in names)) if names else set()
    claims: list[Claim] = []
    for number, sentence in enumerate(_sentences(reply)):
        text, named = _named(sentence, names)
        product = named[0] if len(named) == 1 else None
        # "We don't have it in gold", "silver instead of gold": the asked value may be said.
        negated = bool(_NOT_IN_STOCK.search(text) or _INSTEAD.search(text))

        def add(kind: str, words: str, product: str | None = product,
                negated: bool = negated, number: int = number) -> None:
            claims.append(Claim(kind, words.strip(), product, negated, number))

        sizes = {m.group(0) for m in _SIZE_LIST.finditer(text)}
        for listed in sizes:
            for size in _SIZE_TOKEN.findall(listed.split(None, 1)[1]):
                add("size", size)
        for alone in _SIZE_ALONE.findall(_SIZE_LIST.sub(" ", text)):
            add("size", alone)
        lowered = text.lower()
        for word, english in colours.items():
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered):
                add("colour", english)
        if vocabulary is not None:
            for ask in vocabulary.find(text):
                words = set(ask.words.split())
                if (words <= name_words or words <= {"yes", "no"}
                        or any(w in colours for w in ask.words.split())
                        or all(tokens(n) == ["size"] for n in ask.names())
                        or (words <= everyday and not ask.near and not ask.feature)):
                    continue
                add("option", ask.words)
        if _NOT_IN_STOCK.search(text):
            add("not_in_stock", _NOT_IN_STOCK.search(text).group(0))  # type: ignore[union-attr]
        elif match := _IN_STOCK.search(text):
            add("in_stock", match.group(0))
        for match in _COUNT.finditer(text):
            add("count", match.group(0))
        for match in _LEFT.finditer(text):
            add("units_left", match.group(1))
        if _DELIVERY.search(text):  # "how can I help you today?" promises nothing
            for match in _WHEN.finditer(text):
                add("delivery", match.group(0))
        for match in _MEASURE.finditer(text):
            add("measure", match.group(0))
    return claims


def _card_values(card: dict[str, Any]) -> list[str]:
    values = [str(v) for v in (card.get("options") or {}).values() if v not in (None, "")]
    return values + [str(card[k]) for k in ("size", "color") if card.get(k)]


def _asks(words: str, vocabulary: OptionVocabulary | None) -> list[Ask]:
    return vocabulary.find(words) if vocabulary is not None else []


def unsupported_claims(reply: str, facts: TurnFacts, *,
                       vocabulary: OptionVocabulary | None = None, language: str = "en",
                       check_stock: bool = True) -> list[str]:
    """The reply's claims that neither the cards nor the facts support, in plain words."""
    names = [str(c["name"]) for c in facts.cards if c.get("name")]
    said_text = " ".join(facts.texts)
    problems: list[str] = []
    claims = extract_claims(reply, names=names, vocabulary=vocabulary, language=language)
    qualified = {c.sentence for c in claims if c.kind in ("size", "colour", "option")}
    for claim in claims:
        cards = [c for c in facts.cards if claim.product in (None, c.get("name"))]
        fact_text = f"{said_text} {' '.join(facts.asked)}" if claim.negated else said_text
        fact_keys = {key(m.group(0)) for m in _MEASURE.finditer(fact_text)}
        about = f" for the {claim.product}" if claim.product else ""
        if claim.kind == "size":
            known = [str(c["size"]) for c in cards if c.get("size")]
            known += re.findall(r"(?<![\w.])(?:XXS|XS|XXL|XL|S|M|L|\d{1,2}(?:\.5)?)(?![\w.])",
                                fact_text)
            if not any(same_size(claim.words, k) for k in known):
                problems.append(f"size {claim.words}{about}")
        elif claim.kind == "colour":
            if not any(_card_has(claim, c, vocabulary) for c in cards) and not re.search(
                    rf"\b{claim.words}\b", fact_text, re.IGNORECASE):
                problems.append(f"colour {claim.words}{about}")
        elif claim.kind == "option":
            if not any(_card_has(claim, c, vocabulary) for c in cards) and key(
                    claim.words) not in key(fact_text):
                problems.append(f"option {claim.words}{about}")
        elif claim.kind == "in_stock" and check_stock:
            if not any(c.get("in_stock", True) for c in facts.cards):
                problems.append(f"'{claim.words}' with nothing in stock to show")
        elif claim.kind == "not_in_stock" and check_stock:
            if facts.cards and not facts.unavailable:
                problems.append(f"'{claim.words}' while every card is in stock")
            elif claim.product and cards and claim.sentence not in qualified:
                # "The Cascade Waterproof Rain Jacket is sold out" over a Cascade card in
                # stock: a sold-out size or colour must be said to be one.
                problems.append(f"'{claim.words}' of the {claim.product}, shown in stock")
            elif claim.product and (denied := _denied_on_a_card(reply, claim, cards, names,
                                                                vocabulary, language)):
                problems.append(f"'{claim.words}' of {denied}{about}, shown in stock")
        elif claim.kind == "count":
            number = claim.words.split()[0].lower()
            count = int(number) if number.isdigit() else _NUMBERS.get(number)
            if facts.cards and count is not None and count != len(facts.cards):
                problems.append(f"'{claim.words}' for {len(facts.cards)} cards")
        elif claim.kind == "units_left":
            notes = " ".join(str(c.get("stock_note") or "") for c in cards) + fact_text
            if not re.search(rf"\b{claim.words} left\b", notes):
                problems.append(f"{claim.words} left{about}")
        elif claim.kind == "delivery":
            notes = " ".join(str(c.get("stock_note") or "") for c in cards) + " " + fact_text
            core = re.search(r"\d+|tomorrow|today|week|\w+day|mañana|morgen|demain",
                             claim.words, re.IGNORECASE)
            if core and not re.search(rf"\b{re.escape(core.group(0))}\b", notes, re.IGNORECASE):
                problems.append(f"delivery '{claim.words}'{about}")
        elif claim.kind == "measure":
            option_keys = {key(v) for c in cards for v in _card_values(c)}
            if key(claim.words) not in fact_keys | option_keys:
                problems.append(f"measure {claim.words}{about}")
    return list(dict.fromkeys(problems))


def _denied_on_a_card(reply: str, claim: Claim, cards: Sequence[dict[str, Any]],
                      names: Sequence[str], vocabulary: OptionVocabulary | None,
                      language: str) -> str | None:
    """What a "not in stock" clause about a card's product names ("we don't have the Ember
    jacket in black") when one in-stock card of it carries every value: the shopper is
    told no while the card says yes.  Only the clause holding the negation counts, so "not
    in gold, but silver is" names gold alone.  (A sentence naming no card product may be
    about the sold-out product the cards stand in for, so it is not held to them.)"""
    text, _ = _named(_sentences(reply)[claim.sentence], names)
    found = _NOT_IN_STOCK.search(text)
    if found is None:
        return None
    cuts = [0, *(m.start() for m in _CONTRAST.finditer(text)), len(text)]
    start = max(c for c in cuts if c <= found.start())
    end = min(c for c in cuts if c > found.start())
    said = [c for c in extract_claims(text[start:end], vocabulary=vocabulary,
                                      language=language)
            if c.kind in ("size", "colour", "option")]
    if not said:
        return None
    for card in cards:
        if card.get("in_stock", True) and all(_card_has(c, card, vocabulary, exact=True)
                                              for c in said):
            return " ".join(c.words for c in said)
    return None


def _card_has(claim: Claim, card: dict[str, Any], vocabulary: OptionVocabulary | None, *,
              exact: bool = False) -> bool:
    """Whether the card carries the size, colour or option value the claim says.  `exact`:
    that value itself, not one that contains it (a denial of "Wi-Fi" is true beside a
    "Wi-Fi + Cellular" card, which a claim of Wi-Fi would be supported by)."""
    if claim.kind == "size":
        return bool(card.get("size")) and same_size(claim.words, str(card["size"]))
    values = _card_values(card)
    if exact:
        return any(key(v) == key(claim.words) for v in values)
    if claim.kind == "colour":
        return any(claim.words in tokens(v) for v in values)
    return any(a.accepts(v) for a in _asks(claim.words, vocabulary) for v in values)
