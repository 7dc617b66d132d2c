"""What a message says about the cards just shown: "is it waterproof?", "how heavy is the
second one?", "do you have it in black?", "anything cheaper?".

The latest cards (product and variant ids, options, prices) and the latest search are kept
in the state; a message that points at them ("it", "that one", "the second one", a word of
a card's name) or changes the last search ("cheaper", "in black?") is read against them
here, before the router would search its words alone or call them out of scope.  Rules:
the model is asked (agent/nodes/understand.py) only when these cannot tell.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from agent.commerce.options import OptionVocabulary, colour_like, tokens
from agent.commerce.query import ShopperQuery, refine
from agent.commerce.words import catalog_words

# "It", "that one", "the second one", in the languages read; ordinals give the card.
_ORDINALS = {
    1: r"first|1st|primer[oa]?|erste[nrs]?|premi(?:er|ère)",
    2: r"second|2nd|segund[oa]|zweite[nrs]?|deuxième|seconde?",
    3: r"third|3rd|tercer[oa]?|dritte[nrs]?|troisième",
}
_LAST = r"last|último|última|letzte[nrs]?|dernier|dernière"
# Articles that double as pronouns ("la", "le", "die") are left out: "quiero la chaqueta"
# is a new search; the model reads what these rules cannot (agent/nodes/understand.py).
_ANAPHOR = re.compile(
    r"\b(it|its|it's|that one|this one|those ones|these ones|them|they|the one|lo|ese|esa|"
    r"este|esta|ihn|dieses|diese[nr]?|celui|celle|ça|il|elle|ils|elles)\b", re.IGNORECASE)
_QUESTION = re.compile(
    r"\?\s*$|^\s*(is|are|does|do|did|can|could|will|would|how|what|which|has|have|"
    r"es|está|tiene|cuánto|cuanto|qué|que|cómo|como|ist|hat|wie|was|welche[nrs]?|"
    r"est-ce|est|a-t-il|combien|quel(?:le)?s?)\b", re.IGNORECASE)
# Asking whether a variant exists ("do you have it in black?", "does it come in M?") is a
# search; asking about the product itself ("is it waterproof?") is a product question.
_AVAILABILITY = re.compile(
    r"\b(have|got|come[s]? in|available|in stock|stock|carry|sell|tienen|tenéis|hay|"
    r"gibt es|habt ihr|haben sie|avez-vous|vous avez)\b", re.IGNORECASE)
_CHEAPER = re.compile(
    r"\b(cheaper|less expensive|lower price|more affordable|budget|más barat[oa]s?|"
    r"más económic[oa]s?|günstiger|billiger|moins chers?|moins chères?)\b", re.IGNORECASE)


def _ordinal(text: str, count: int) -> int | None:
    """The card a message points at by its place ("the second one", "#2"), 0-based."""
    for place, words in _ORDINALS.items():
        if re.search(rf"\b({words})\b", text, re.IGNORECASE) and place <= count:
            return place - 1
    if re.search(rf"\b({_LAST})\b", text, re.IGNORECASE) and count:
        return count - 1
    if (match := re.search(r"(?:#|number |option |no\. ?)([1-9])\b", text, re.IGNORECASE)) and \
            int(match.group(1)) <= count:
        return int(match.group(1)) - 1
    return None


def _named_card(text: str, cards: list[dict[str, Any]]) -> int | None:
    """The card a message names by a word of its name that no other card has."""
    said = catalog_words(text)
    words = [catalog_words(str(c.get("name", ""))) for c in cards]
    for i, own in enumerate(words):
        others = set().union(*(w for j, w in enumerate(words) if j != i))
        if {w for w in own - others if len(w) > 3} & said:
            return i
    return None


def pointed_card(text: str, cards: list[dict[str, Any]]) -> int | None:
    """Which card the message is about: by place, by name, or "it" (the first)."""
    if not cards:
        return None
    found = _ordinal(text, len(cards))
    if found is None:
        found = _named_card(text, cards)
    if found is None and _ANAPHOR.search(text):
        found = 0
    return found


def follow_up_on_cards(text: str, query: ShopperQuery, cards: list[dict[str, Any]],
                       last_query: dict[str, Any] | None, vocabulary: OptionVocabulary,
                       names_product: bool) -> dict[str, Any] | None:
    """The router's reading of a message about the latest cards, or None.

    `names_product` says the message names a product of its own ("show me tents"): then it
    is a new search, unless it names one of the cards.  Spanish, German and French often
    leave the pronoun out ("¿es impermeable?"): a question there is about the first card."""
    card = pointed_card(text, cards)
    if card is None and query.language != "en" and _QUESTION.search(text) and not (
            names_product or query.asks or query.size):
        card = 0
    named_card = _ordinal(text, len(cards)) is not None or _named_card(text, cards) is not None
    if names_product and not named_card:
        return None
    if _CHEAPER.search(text) and last_query is not None:
        return {"intent": "discovery",
                "refined_query": asdict(_cheaper(text, cards, ShopperQuery(**last_query)))}
    if card is None:
        return None
    chosen = cards[card]
    asks_variant = bool(query.asks or query.size)
    if asks_variant and (_AVAILABILITY.search(text) or not _QUESTION.search(text)
                         or not _asks_about_the_product(query, chosen, vocabulary)):
        return {"intent": "discovery",
                "refined_query": asdict(_on_card(chosen, query, last_query))}
    if _QUESTION.search(text) or named_card:
        return {"intent": "product_question", "focus": chosen}
    return None


def _cheaper(text: str, cards: list[dict[str, Any]], last: ShopperQuery) -> ShopperQuery:
    """The last search under the cheapest card's price.  When the cards were one product's
    variants ("do you have it in black?"), the search widens to that product's kind."""
    cheapest = min(float(c.get("price") or 0) for c in cards)
    if len({c.get("product_id") for c in cards}) == 1 and cards[0].get("category"):
        head = str(cards[0].get("name", "")).split()[-1:]  # "... Ski Jacket": jacket
        kind = " ".join([str(cards[0]["category"]), *head])
        last = ShopperQuery(text=kind, terms=kind.lower().split(), size=last.size,
                            color=last.color, options=[
                                a.as_dict() for a in last.asks
                                if any(colour_like(n) for n in a.names())])
    merged = refine(last, ShopperQuery(text=text, max_price=round(cheapest - 0.01, 2)),
                    keep_terms=True)
    merged.min_price = None
    return merged


def _asks_about_the_product(query: ShopperQuery, card: dict[str, Any],
                            vocabulary: OptionVocabulary) -> bool:
    """Whether the options named are features of the card's product ("is it waterproof?"
    of boots with a waterproof option) rather than another variant asked for."""
    options = vocabulary.products.get(str(card.get("product_id")), {})
    return all(a.feature and a.names() & set(options) for a in query.asks) and not query.size


def _on_card(card: dict[str, Any], query: ShopperQuery,
             last_query: dict[str, Any] | None) -> ShopperQuery:
    """The card's product asked again with the new options laid over what was asked
    before ("do you have it in black?" keeps the size L asked for)."""
    name = str(card.get("name", ""))
    before = ShopperQuery(**last_query) if last_query else ShopperQuery(text=name)
    product = ShopperQuery(text=name, terms=[w for w in tokens(name) if len(w) > 1],
                           size=before.size, options=before.options,
                           min_price=before.min_price, max_price=before.max_price)
    merged = refine(product, query, keep_terms=True)
    merged.text = f"{name}; {query.text}"
    return merged
