"""The claim scorer and the variant scorer on transcripts (usable on any export)."""

from __future__ import annotations

from evals.scorers.claims import ClaimScorer
from evals.scorers.variant import VariantScorer
from tests.evals.factories import suggestion, transcript

EMBER_L = suggestion(name="Ember 800 Down Jacket", size="L", evidence=[])


def test_a_size_the_card_does_not_have_fails_the_claim_scorer() -> None:
    bad = transcript({"shopper": "warm jacket, I usually wear a large", "intent": "discovery",
                      "reply": "Ember 800 Down Jacket, $229, size M, in stock.",
                      "suggestions": [EMBER_L]})
    result = ClaimScorer().score(bad)
    assert result.outcome == "fail" and "size M" in result.detail
    good = transcript({"shopper": "warm jacket, I usually wear a large", "intent": "discovery",
                       "reply": "The Ember 800 Down Jacket in size L is in stock.",
                       "suggestions": [EMBER_L]})
    assert ClaimScorer().score(good).outcome == "pass"


def test_an_option_on_no_card_fails_using_the_recorded_store_options() -> None:
    watch = suggestion(name="Smart Watch", size=None, color="silver",
                       options={"color": "silver", "band material": "silicone"})
    said = transcript({"shopper": "smart watch with a leather band?", "intent": "discovery",
                       "reply": "Yes, we have the Smart Watch with a leather band.",
                       "suggestions": [watch]},
                      store_options={"band material": ["leather", "silicone"],
                                     "color": ["gold", "silver"]})
    result = ClaimScorer().score(said)
    assert result.outcome == "fail" and "leather" in result.detail


def test_the_variant_scorer_wants_the_exact_variant_first_or_an_honest_no() -> None:
    first = suggestion(variant_id="W-GOLD", name="Smart Watch")
    exact = transcript({"shopper": "gold smart watch", "reply": "Yes, the Smart Watch is in stock.",
                        "suggestions": [first],
                        "expect": {"first_product": "Smart Watch", "exact_variant": "W-GOLD"}})
    assert VariantScorer().score(exact).outcome == "pass"
    wrong = transcript({"shopper": "gold smart watch", "reply": "Yes, we have it.",
                        "suggestions": [suggestion(variant_id="W-SILVER", name="Smart Watch")],
                        "expect": {"exact_variant": "W-GOLD"}})
    assert VariantScorer().score(wrong).outcome == "fail"
    dishonest = transcript({"shopper": "rose gold smart watch",
                            "reply": "Yes, we have a Smart Watch. We don't have rose gold.",
                            "suggestions": [first], "expect": {"honest_no": True}})
    assert VariantScorer().score(dishonest).outcome == "fail", "the no must come first"
    honest = transcript({"shopper": "rose gold smart watch",
                         "reply": "We don't have the Smart Watch in rose gold. The closest...",
                         "suggestions": [first],
                         "expect": {"honest_no": True, "absent_variant": "W-ROSE"}})
    assert VariantScorer().score(honest).outcome == "pass"


def test_a_product_the_facts_say_is_sold_out_may_be_called_sold_out() -> None:
    flint = suggestion(name="Flint Trail Runner", size="9", evidence=[])
    turn = {"shopper": "trail running shoes size 9", "intent": "discovery",
            "reply": "The Mudlark Waterproof Trail Runner is sold out. The Flint Trail Runner "
                     "is in stock in size 9.", "suggestions": [flint]}
    assert ClaimScorer().score(transcript(turn | {"sold_out": ["Mudlark Waterproof Trail Runner"]}
                                          )).outcome == "pass"
    # Without that fact, a sold-out claim over in-stock cards is false.
    assert ClaimScorer().score(transcript(turn)).outcome == "fail"
