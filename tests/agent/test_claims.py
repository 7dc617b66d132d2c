"""Claims a reply makes, checked against the turn's cards: the issue's own examples."""

from __future__ import annotations

from typing import Any

from agent.claims import TurnFacts, extract_claims, unsupported_claims
from agent.commerce.options import OptionVocabulary
from agent.reply_check import reply_problem


def _card(name: str, **values: Any) -> dict[str, Any]:
    card: dict[str, Any] = {"name": name, "price": 229.0, "in_stock": True,
                            "stock_note": "2 left at Portland store, delivered tomorrow"}
    card["options"] = {k: v for k, v in values.items() if k not in ("size", "color")}
    card |= {"size": values.get("size"), "color": values.get("color")}
    card["options"] |= {k: v for k, v in (("size", card["size"]), ("color", card["color"])) if v}
    return card


EMBER_L = [_card("Ember 800 Down Jacket", size="L", color="Black"),
           _card("Flux Synthetic Insulated Jacket", size="L", color="Green")]
WATCHES = OptionVocabulary.build(
    [("w", {"color": c, "band material": b}) for c in ("black", "gold", "silver")
     for b in ("leather", "silicone")]
    + [("b", {"brightness": "75W equivalent", "connectivity": "Wi-Fi"})],
    [("w", "Smart Watch"), ("b", "LED Light Bulb"), ("l", "Desk Lamp")])


def _problems(reply: str, cards: list[dict[str, Any]], facts: dict[str, Any] | None = None,
              vocabulary: OptionVocabulary | None = None, language: str = "en") -> list[str]:
    return unsupported_claims(reply, TurnFacts.from_turn(facts or {}, cards),
                              vocabulary=vocabulary, language=language)


def test_a_size_the_named_products_card_does_not_have_is_false() -> None:
    problems = _problems("Ember 800 Down Jacket, $229, size M, in stock.", EMBER_L,
                         {"constraints": {"size": "L"}})
    assert problems == ["size M for the Ember 800 Down Jacket"]
    assert _problems("The Ember 800 Down Jacket comes in size L and is in stock.", EMBER_L) == []


def test_sizes_nobody_fetched_are_false() -> None:
    problems = _problems("The jacket is available in sizes 3XL, 4XL, and 5XL.", EMBER_L)
    assert problems == ["size 3XL", "size 4XL", "size 5XL"]


def test_a_colour_or_option_on_no_card_is_false() -> None:
    silver = [_card("Smart Watch", color="silver", **{"band material": "leather"})]
    problems = _problems("Yes, we have a Smart Watch in gold with a leather band.", silver,
                         vocabulary=WATCHES)
    assert problems == ["colour gold for the Smart Watch"]
    lamp = [_card("Desk Lamp", color="white", brightness="high")]
    assert set(_problems("Yes, we have a 75W Wi-Fi bulb.", lamp, vocabulary=WATCHES)) >= {
        "option 75 w", "option wi fi"}


def test_saying_what_was_asked_is_not_there_is_allowed() -> None:
    silver = [_card("Smart Watch", color="silver")]
    facts = {"query": "smart watch in gold", "constraints": {"color": "gold"},
             "sold_out": ["Smart Watch"]}
    assert _problems("We don't have the Smart Watch in gold, but the silver one is in stock.",
                     silver, facts, vocabulary=WATCHES) == []


def test_stock_counts_and_delivery_must_match_the_cards() -> None:
    assert _problems("Here are 3 options, and only 5 left, arriving in 4 days.", EMBER_L) == [
        "'3 options' for 2 cards", "5 left", "delivery 'in 4 days'"]
    assert _problems("Two options, 2 left, delivered tomorrow.", EMBER_L) == []
    assert _problems("It's in stock now.", [], {"no_match": True}) == [
        "'in stock' with nothing in stock to show"]


def test_a_weight_the_product_page_does_not_give_is_false() -> None:
    tent = [_card("Featherlite 1 Ultralight Tent", color="Grey")]
    facts = {"answer": {"sentences": ["A 900 g one-person shelter pitched with trekking poles."]}}
    assert _problems("It weighs 900 g.", tent, facts) == []
    assert _problems("It weighs about 1.2 kg.", tent, facts) == ["measure 1.2 kg"]


def test_a_spanish_reply_is_read_with_spanish_colour_words() -> None:
    claims = extract_claims("Tenemos la chaqueta en negro, talla S.", language="es")
    assert {(c.kind, c.words) for c in claims} >= {("colour", "black"), ("size", "S"),
                                                   ("in_stock", "Tenemos")}


def test_the_reply_check_withdraws_a_reply_with_a_false_size() -> None:
    facts = {"products": [{"name": "Cascade Waterproof Rain Jacket", "price": 139.0,
                           "size": "S", "color": "Green", "stock_note": "", "alternative": None}]}
    cards = [_card("Cascade Waterproof Rain Jacket", size="S", color="Green")]
    problem = reply_problem("discovery", facts, "quiero una chaqueta impermeable talla M",
                            "The Cascade Waterproof Rain Jacket is available in size M.",
                            cards=cards)
    assert problem is not None and "size M" in problem


def test_saying_a_card_shown_in_stock_is_not_there_is_false_in_any_language() -> None:
    facts = {"products": [{"name": "Ember 800 Down Jacket"}], "sold_out": ["Cascade"],
             "query": "ember jacket in size M"}
    assert "'no tengo' while every card is in stock" in _problems(
        "Lo siento, pero no tengo stock de una chaqueta talla M.", EMBER_L, {"products": []},
        language="es")
    assert _problems("Die Jacken sind leider nicht in stock.", EMBER_L, language="de")
    assert _problems("The Ember 800 Down Jacket is sold out as requested.", EMBER_L, facts) == [
        "'sold out' of the Ember 800 Down Jacket, shown in stock"]
    assert _problems("The Ember 800 Down Jacket is sold out in size M.", EMBER_L, facts) == []


def test_today_in_a_greeting_is_no_delivery_promise() -> None:
    assert _problems("Hello! How can I help you today?", EMBER_L) == []
    assert _problems("It will arrive today.", EMBER_L) == ["delivery 'today'"]


def test_denying_an_option_a_card_shows_in_stock_is_false() -> None:
    # The Ember card is black, size L, in stock: "not in black" tells the shopper no while
    # the card beside it says yes, whatever else the facts list as sold out.
    facts = {"sold_out": ["Cascade Waterproof Rain Jacket"],
             "query": "ember jacket in black, size M"}
    assert _problems("Sorry, we don't have the Ember 800 Down Jacket in black.", EMBER_L,
                     facts) == ["'don't have' of black for the Ember 800 Down Jacket, "
                                "shown in stock"]
    assert _problems("Lo siento, no tengo la Ember 800 Down Jacket en negro.", EMBER_L, facts,
                     language="es") == ["'no tengo' of black for the Ember 800 Down Jacket, "
                                        "shown in stock"]
    # The sold-out product the cards stand in for may be denied in the cards' size.
    assert _problems("The Cascade Waterproof Rain Jacket in size L is sold out right now.",
                     EMBER_L, facts | {"query": "cascade jacket size L"}) == []
    # What no in-stock card carries may be denied: size M, or black in M (the card is an L).
    assert _problems("The Ember 800 Down Jacket is sold out in size M.", EMBER_L, facts) == []
    assert _problems("We don't have it in black in size M.", EMBER_L, facts) == []
    # Only the clause with the negation: "not in gold, but the silver one is in stock".
    silver = [_card("Smart Watch", color="silver")]
    assert _problems("We don't have the Smart Watch in gold, but silver is in stock.", silver,
                     {"sold_out": ["Smart Watch"], "constraints": {"color": "gold"}},
                     vocabulary=WATCHES) == []


def test_denying_a_value_is_true_beside_a_card_whose_value_only_contains_it() -> None:
    # From tau-bench's store (evals/suites/tau_variants.yaml, 3801771308-not-sellable): the
    # 7-inch Wi-Fi 8GB E-Reader is sold out; the 7-inch "Wi-Fi + Cellular" 8GB one is not.
    readers = OptionVocabulary.build(
        [("e", {"screen size": s, "connectivity": c, "storage": "8GB"})
         for s in ("6-inch", "7-inch", "8-inch") for c in ("Wi-Fi", "Wi-Fi + Cellular")],
        [("e", "E-Reader")])
    cards = [_card("E-Reader", **{"screen size": "7-inch", "connectivity": "Wi-Fi + Cellular",
                                  "storage": "8GB"})]
    facts = {"sold_out": ["E-Reader"], "query": "E-Reader in 7-inch, Wi-Fi and 8GB"}
    assert _problems("The E-Reader with 7-inch screen size, Wi-Fi connectivity and 8GB "
                     "storage is sold out right now.", cards, facts, vocabulary=readers) == []
