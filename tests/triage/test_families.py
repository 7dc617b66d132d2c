"""Validation splits by family: a Bitext template, a tau-bench task or a source never lands
on both sides of a split, so the figures measure generalisation, not memory."""

from __future__ import annotations

from collections import defaultdict

import pytest

from evals.routing.datasets import SOURCES, Example, Split, load_all
from evals.routing.tau_tasks import first_message, route_label
from evals.routing.templates import families, template_key
from evals.routing.validate import loso_rows
from tests.shared_data import shared_data


@pytest.fixture(scope="module")
def splits() -> dict[Split, list[Example]]:
    return load_all(shared_data("bitext").parent)


def test_a_bitext_template_never_lands_on_both_sides(splits: dict[Split, list[Example]]) -> None:
    sides: dict[str, set[str]] = defaultdict(set)
    keys: dict[tuple[str, frozenset[str]], set[str]] = defaultdict(set)
    for split, rows in splits.items():
        for e in rows:
            if e.source == "bitext":
                sides[e.family].add(split)
                keys[(e.intent, template_key(e.text))].add(split)
    assert len(sides) > 300  # families, not one per intent
    assert all(len(s) == 1 for s in sides.values())
    assert all(len(s) == 1 for s in keys.values())
    dev_intents = {e.intent for e in splits["dev"] if e.source == "bitext"}
    assert len(dev_intents) >= 20  # the dev side still covers most intents


def test_slot_values_and_frames_do_not_make_a_new_template() -> None:
    rows = [("cancel_order", "I need help canceling order 00004587345"),
            ("cancel_order", "could you help me with canceling order 123?"),
            ("get_refund", "I want my money back"), ("get_refund", "I want to get a rebate")]
    found = families(rows)
    assert found[0] == found[1]
    assert found[2] != found[3]
    assert template_key("canceling purchase 00004587345") == frozenset({"cancel", "purchase"})


def test_loso_never_fits_on_the_source_it_scores() -> None:
    sources = ["bitext", "goemotions", "clinc150", "tau", "bitext", "goemotions"]
    splits = ["train", "dev", "calibration", "train", "dev", "train"]
    for left_out in SOURCES:
        fit, scored = loso_rows(sources, splits, left_out)
        assert {sources[i] for i in scored} == {left_out}
        assert left_out not in {sources[i] for i in fit}
        assert not {i for i in fit if splits[i] == "dev"}  # no source's dev is fitted on


def test_tau_tasks_become_first_person_messages_routed_by_their_actions() -> None:
    instruction = ("Your name is Ivan Kim and your zip code is 60636. You are messy, happy, "
                   "polite. You want to exchange your {'color': 'black', 'size': 'L'} jacket "
                   "because you received the wrong size.")
    assert first_message(instruction) == (
        "I want to exchange my jacket because I received the wrong size.")
    # The store's product names go too: what routes a task is its verb, not its products.
    assert first_message("You want to return the Electric Kettle {'capacity': '1L'}.",
                         ["Electric Kettle", "Tablet"]) == "I want to return the ."
    assert route_label(instruction, [{"name": "exchange_delivered_order_items"}]) == "refund"
    assert route_label("You want to add a lamp", [{"name": "modify_pending_order_items"}]) \
        == "assistant"
    assert route_label("Complain that the site is slow.", []) == "complaint"


def test_every_source_is_loaded_with_both_routes_where_it_has_them(
        splits: dict[Split, list[Example]]) -> None:
    by_source: dict[str, set[str]] = defaultdict(set)
    for rows in splits.values():
        for e in rows:
            by_source[e.source].add(e.route)
    assert set(by_source) == set(SOURCES)
    assert all(by_source[s] == {"human", "assistant"} for s in SOURCES)
    tau_dev = [e for e in splits["dev"] if e.source == "tau"]
    assert len(tau_dev) == 20 and all("Your name" not in e.text for e in tau_dev)

