"""The escalation policy file: decisions, locked triggers, and errors with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.escalation import PolicyError, load_policy

POLICY = Path(__file__).resolve().parents[2] / "policies" / "escalation.yaml"


@pytest.mark.parametrize(("text", "rule"), [
    ("I want to return these boots", "returns"),
    ("can I get a refund for order #R10002", "returns"),
    ("let me talk to a real person", "human_request"),
    ("this is the worst service ever", "anger"),
    ("my tent arrived damaged", "complaint"),
    ("I was charged twice for one jacket", "payment_dispute"),
    ("I'm going to sue you", "legal_threat"),
    ("I'm panicking, the gift has to arrive before Friday", "distress"),
    # A post to a brand, sarcastic ("great service"): the classifier reads sarcasm as
    # praise (p 0.09), the waiting is what says it
    ("@shopname 3 weeks and STILL no parcel. great service guys", "complaint"),
    ("it's been 10 days and I still haven't received my order", "complaint"),
])
def test_charged_messages_escalate_with_the_rule_that_fired(text: str, rule: str) -> None:
    verdict = load_policy(POLICY).decide(text)
    assert verdict.escalate and verdict.rule == rule
    assert verdict.reasons and verdict.reasons[0].startswith(rule)


@pytest.mark.parametrize("text", [
    "waterproof hiking jacket under $200, size M",
    "where is my order #R10023",
    "what is your return policy?",
    "what's your policy on exchanges?",
    "how many days do I have to send it back?",
    "what size should I get in the Trailhead boots",
    "are the service charges refundable?",
    "is this jacket returnable?",
    "sorry, I meant #R10002",  # an apology that opens a correction is not distress
    "oops, my mistake: it's R10002",
    "do you still have the blue one in stock?",
    "I still haven't decided which tent to buy",
])
def test_routine_messages_stay_with_the_assistant(text: str) -> None:
    assert not load_policy(POLICY).decide(text).escalate


@pytest.mark.parametrize("text", [
    "sorry, I'm so upset, my order is lost",
    "sorry, I meant to say I'm desperate",
    "I'm so sorry, my dog died and I need to cancel my order",
])
def test_an_apology_does_not_hide_distress(text: str) -> None:
    verdict = load_policy(POLICY).decide(text)
    assert verdict.escalate and any(r.startswith("distress") for r in verdict.reasons)


@pytest.mark.parametrize("text", [
    "thank you so much!!!",
    "love it, damn good jacket",
    "ok great, thanks!!!",
])
def test_delight_with_exclamation_marks_or_swearing_stays_with_the_assistant(text: str) -> None:
    # "!!!" and swearing are anger only in a message that does not read as positive.
    policy = load_policy(POLICY)
    assert not policy.patterns_only().decide(text).escalate
    assert not policy.decide(text).escalate


@pytest.mark.parametrize("text", [
    "WHERE IS MY ORDER!!!",
    "wtf where is my package",
    "damn it, wrong size again",
])
def test_exclamation_marks_or_swearing_without_delight_still_mean_anger(text: str) -> None:
    verdict = load_policy(POLICY).patterns_only().decide(text)
    assert verdict.escalate and verdict.rule in {"anger", "complaint"}
    assert any(r.startswith("anger") for r in verdict.reasons)


def test_a_positive_tone_threshold_out_of_range_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "escalation.yaml"
    path.write_text(POLICY.read_text().replace("positive_tone: 0.5", "positive_tone: 1.5"))
    with pytest.raises(PolicyError, match="positive_tone"):
        load_policy(path)


def test_the_most_urgent_rule_wins_and_every_match_is_a_reason() -> None:
    verdict = load_policy(POLICY).decide("I'm furious, I'll call my lawyer about this refund")
    assert verdict.rule == "legal_threat" and verdict.priority == 1
    assert {r.split(":")[0] for r in verdict.reasons} >= {"legal_threat", "anger", "returns"}


def test_locked_triggers_cannot_be_switched_off(tmp_path: Path) -> None:
    text = POLICY.read_text().replace("    locked: true\n    priority: 2\n    mood: angry",
                                      "    locked: true\n    enabled: false\n    priority: 2\n"
                                      "    mood: angry")
    path = tmp_path / "escalation.yaml"
    path.write_text(text)
    assert load_policy(path).decide("you are useless support, I'm furious").rule == "anger"


def test_repeated_failure_escalates_after_the_configured_turns() -> None:
    policy = load_policy(POLICY)
    assert not policy.decide("hmm", turns_without_progress=3).escalate
    assert policy.decide("hmm", turns_without_progress=4).rule == "repeated_failure"
    assert policy.decide("same question", repeated_question=True).rule == "repeated_failure"


def test_an_invalid_policy_fails_with_the_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "escalation.yaml"
    path.write_text("version: 1\nrules:\n  - id: returns\n    description: x\n"
                    "    priority: urgent\n")
    with pytest.raises(PolicyError, match=r"line 3: rules\.0\.priority: .*integer"):
        load_policy(path)
    path.write_text("version: 1\nrules:\n  - id: x\n    description: y\n    priority: 1\n"
                    "    patterns: ['(unclosed']\n")
    with pytest.raises(PolicyError, match=r"line 3: .*not a valid regex"):
        load_policy(path)
    path.write_text("version: 1\nrules: [\n")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(path)
