"""A question about one product answered from its own page, or an honest "doesn't say"."""

from __future__ import annotations

from agent.commerce.product_answer import answer_question

TENT = ("A 900 g one-person shelter pitched with trekking poles. Packs down small.")
DOWN = ("800-fill responsibly sourced down in a water-resistant shell. "
        "Warm to well below freezing and packs into its own pocket.")


def test_a_weight_on_the_page_is_the_answer() -> None:
    answer = answer_question("how heavy is it?", name="Featherlite", description=TENT,
                             tags="tent", options={})
    assert answer.topic == "weight" and answer.found == [TENT.split(". ")[0] + "."]


def test_no_weight_on_the_page_means_no_answer_not_a_guess() -> None:
    answer = answer_question("¿cuánto pesa?", name="Ember", description=DOWN, tags="", options={})
    assert answer.topic == "weight" and answer.found == []


def test_a_near_miss_is_quoted_as_related_not_as_a_yes() -> None:
    answer = answer_question("is it waterproof?", name="Ember", description=DOWN,
                             tags="down jacket warm", options={"size": "L"})
    assert answer.found == []
    assert answer.related == [DOWN.split(". ")[0] + "."]


def test_an_option_of_the_variant_answers_it() -> None:
    answer = answer_question("is it waterproof?", name="Hiking Boots", description="",
                             tags="", options={"waterproof": "no", "size": "10"})
    assert answer.found == ["waterproof: no"]
    material = answer_question("what is it made of?", name="Smart Watch", description="",
                               tags="", options={"band material": "leather"})
    assert material.found == ["band material: leather"]
