"""The triage classifier: shipped model, what it escalates, what it leaves to the assistant,
its evidence in the verdict, and its policy settings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from agent.escalation import EscalationPolicy, PolicyError, load_policy
from agent.triage import TriageClassifier
from agent.triage.classifier import META_FILE, MODEL_DIR, WEIGHTS_FILE
from evals.routing.validate import POLICY  # the shipped policy file

ROUTINE = [
    "waterproof hiking jacket under $200, size M",
    "where is my order #R10023",
    "what is your return policy?",
    "what size should I get in the Trailhead boots",
    "I need a tent",
    "hiking boots size 10",
    "hi",
    "is the tent waterproof?",
    "do you have red beanies?",
    "how do I track my package?",
]
# Questions about what a product is made of: the route head scores some as returns (p 0.75
# for the beanie; it had no routine product questions to learn from), and the policy's
# `shopping` patterns keep them from handing the shopper over on that alone.
PRODUCT_QUESTIONS = [
    "what material is the beanie?",
    "what materials is the shorts made of?",
    "what are the hiking boots made of?",
    "which colors does the sleeping bag come in?",
]
# From the held-out files of issue 15 (other Bitext releases): a smoke check that the
# shipped model generalises past the phrasings it was trained on, not a target.  The last
# three the model missed are caught by the policy's patterns ("client service", "someone
# available", "rebate").
ISSUE_15_PERSON = [
    "i want to inform of an issue paying, wha can i do ?",
    "i wanna report a problem making a payment",
    "canceling purchase 00004587345",
    "what'sthe number of Client Service?",
    "tell me if their is someone available",
    "I'm waiting for a rebate of $1",
]
# A problem told calmly, as a post to a brand reads: no anger, no request, so neither tone
# nor the charged head hands it over; the complaint and payment rules' patterns do.  Written
# here (no such posts are in ../shared/data): a check of the patterns, not a figure.
CALM_PROBLEMS = [
    ("@AmazonHelp package says delivered but it's not here", "complaint"),
    ("@Target the self checkout charged me twice", "payment_dispute"),
    ("got charged double for one order", "payment_dispute"),
    ("@SpotifyCares app keeps crashing on android", "complaint"),
    ("my internet has been down since this morning", "complaint"),
    ("the speaker won't turn on", "complaint"),
    ("been on hold for 45 minutes", "complaint"),
    ("my parcel is stuck in customs for 10 days", "complaint"),
    ("my order was cancelled without any explanation", "complaint"),
]
# Routine messages near those words that stay with the assistant.
CALM_PROBLEM_NEAR_MISSES = [
    "can it be delivered by Friday?",
    "does the headlamp charge over USB?",
    "is the down jacket warm enough for skiing?",
    "which tent keeps the rain out best?",
    "what happens if I am not here when the parcel comes?",
]
POLICY_QUESTIONS = [
    "can I see under which circumstances can I request refunds?",
    "what is your return policy",
    "how much is the cancellation fee?",
    "what are the delivery options?",
]


def test_the_shipped_model_loads_once_and_matches_its_checksum() -> None:
    assert TriageClassifier.load() is TriageClassifier.load()
    weights = MODEL_DIR / WEIGHTS_FILE
    meta = json.loads((MODEL_DIR / META_FILE).read_text())
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == meta["sha256"]
    assert weights.stat().st_size < 2_000_000


@pytest.mark.parametrize("text", ISSUE_15_PERSON)
def test_requests_phrased_in_ways_never_trained_on_go_to_a_person(
        policy: EscalationPolicy, text: str) -> None:
    verdict = policy.decide(text)
    assert verdict.escalate, verdict


@pytest.mark.parametrize("text", PRODUCT_QUESTIONS)
def test_questions_about_what_a_product_is_made_of_stay_with_the_assistant(
        policy: EscalationPolicy, text: str) -> None:
    verdict = policy.decide(text)
    assert not verdict.escalate, verdict


@pytest.mark.parametrize(("text", "rule"), CALM_PROBLEMS)
def test_a_problem_told_calmly_goes_to_a_person(policy: EscalationPolicy, text: str,
                                                rule: str) -> None:
    verdict = policy.decide(text)
    assert verdict.escalate and verdict.rule == rule, verdict


@pytest.mark.parametrize("text", CALM_PROBLEM_NEAR_MISSES)
def test_routine_questions_near_those_words_stay_with_the_assistant(
        policy: EscalationPolicy, text: str) -> None:
    verdict = policy.decide(text)
    assert not verdict.escalate, verdict


@pytest.mark.parametrize("text", POLICY_QUESTIONS)
def test_questions_about_a_policy_stay_with_the_assistant(
        policy: EscalationPolicy, text: str) -> None:
    verdict = policy.decide(text)
    assert not verdict.escalate, verdict


@pytest.mark.parametrize(("text", "rules"), [
    ("this is so frustrating, nothing works", {"anger"}),
    ("I hate this company", {"anger"}),
    ("I'm scared my package got stolen", {"distress"}),
    ("I want to file a claim about the jacket", {"complaint"}),
    ("I have a problem with a payment", {"payment_dispute"}),
    ("i wanna report a problem making a payment", {"payment_dispute"}),
])
def test_the_classifier_escalates_what_no_pattern_matches(
        policy: EscalationPolicy, text: str, rules: set[str]) -> None:
    assert not policy.patterns_only().decide(text).escalate
    verdict = policy.decide(text)
    assert verdict.escalate and verdict.rule in rules, verdict
    assert verdict.reasons[0].startswith(f"{verdict.rule}: classifier p=")


def test_the_reasons_name_the_rule_and_the_closest_kind_of_message(
        policy: EscalationPolicy) -> None:
    verdict = policy.decide("can I speak to someone")
    assert verdict.rule == "human_request"
    assert verdict.reasons[0].startswith("human_request: The shopper asks for a person")
    classifier_reason = verdict.reasons[1]
    assert classifier_reason.startswith("human_request: classifier p=0.")
    assert "contact; close to '" in classifier_reason
    assert verdict.scores["p_human"] >= 0.5


@pytest.mark.parametrize("text", ROUTINE)
def test_routine_shopping_questions_stay_with_the_assistant(
        policy: EscalationPolicy, text: str) -> None:
    verdict = policy.decide(text)
    assert not verdict.escalate, verdict
    assert verdict.scores["p_human"] < 0.4 and verdict.scores["p_charged"] < 0.25


def test_questions_about_refunds_are_excepted_from_the_returns_rule(
        policy: EscalationPolicy) -> None:
    for text in ("can I see under which circumstances can I request refunds?",
                 "I want help checking how long refunds take"):
        assert not policy.patterns_only().decide(text).escalate
    assert policy.decide("how long will my refund take, it's been 3 weeks").rule == "returns"


def test_when_switched_on_the_classifier_overrules_a_topic_pattern_not_a_lock(
        tmp_path: Path) -> None:
    path = tmp_path / "escalation.yaml"
    path.write_text(POLICY.read_text().replace("overrule_below: null", "overrule_below: 0.1"))
    policy = load_policy(path)
    text = "would the shipping fee be refunded?"
    assert policy.patterns_only().decide(text).rule == "returns"
    verdict = policy.decide(text)
    assert not verdict.escalate and verdict.overruled == ["returns"], verdict
    # a locked trigger is never overruled, however routine the rest of the message
    assert policy.decide("would the shipping fee be refunded? let me talk to a real person"
                         ).rule == "human_request"


def test_a_score_just_below_a_threshold_is_reported_unsure(tmp_path: Path) -> None:
    text = "I've been waiting three weeks and nobody answers my emails"
    p_charged = load_policy(POLICY).decide(text).scores["p_charged"]
    path = tmp_path / "escalation.yaml"
    content = POLICY.read_text()
    content = content.replace("charged_threshold: ",
                              f"charged_threshold: {min(p_charged + 0.01, 1):.4f}  # ", 1)
    content = content.replace("unsure_margin: 0.1", "unsure_margin: 0.02")
    content = content.replace("human_threshold: ", "human_threshold: 0.99  # ", 1)
    path.write_text(content)
    verdict = load_policy(path).decide(text)
    assert not verdict.escalate and verdict.unsure


def test_a_disabled_classifier_leaves_only_the_patterns(tmp_path: Path) -> None:
    path = tmp_path / "escalation.yaml"
    path.write_text(POLICY.read_text().replace("classifier:\n  enabled: true",
                                               "classifier:\n  enabled: false"))
    verdict = load_policy(path).decide("I hate this company")
    assert not verdict.escalate and verdict.scores == {}


def test_a_classifier_hit_on_a_disabled_rule_does_not_escalate(tmp_path: Path) -> None:
    path = tmp_path / "escalation.yaml"
    path.write_text(POLICY.read_text().replace(
        "    description: Payment problems, double charges and chargebacks\n",
        "    description: Payment problems, double charges and chargebacks\n"
        "    enabled: false\n"))
    assert not load_policy(path).decide("I have a problem with a payment").escalate


@pytest.mark.parametrize(("old", "new", "error"), [
    ("    anger: anger\n", "    anger: fury\n",
     r"line 1\d\d: classifier\.rules: unknown rules: fury"),
    ("charged_threshold: ", "charged_threshold: 1.5  # ",
     r"line 1\d\d: classifier\.charged_threshold: .*less than or equal to 1"),
    ("overrule_below: null", "overrule_below: 0.9",
     r"line 1\d\d: classifier: .*overrule_below must be below human_threshold"),
    ("    distress: distress\n", "    boredom: distress\n",
     r"line 1\d\d: classifier\.rules\.boredom"),
    ("    locked: true\n    priority: 2\n    mood: angry\n",
     "    locked: true\n    overrulable: true\n    priority: 2\n    mood: angry\n",
     r"line \d+: rules\.3\.overrulable: .*a locked trigger cannot be overrulable"),
    ("    priority: 2\n# Business", "    priority: 9\n# Business",
     r"line [12]\d\d: triggers\.high_value_customers\.priority"),
    ("min_lifetime_spend: 1000", "min_lifetime_spend: lots",
     r"line [12]\d\d: triggers\.high_value_customers\.min_lifetime_spend"),
])
def test_invalid_classifier_and_trigger_settings_fail_with_line_and_reason(
        tmp_path: Path, old: str, new: str, error: str) -> None:
    path = tmp_path / "escalation.yaml"
    text = POLICY.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(PolicyError, match=error):
        load_policy(path)
