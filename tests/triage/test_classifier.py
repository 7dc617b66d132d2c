"""The triage classifier: shipped model, what it escalates, what it leaves to the assistant,
its evidence in the verdict, its policy settings, and its speed."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pytest

from agent.escalation import PolicyError, load_policy
from agent.triage import TriageClassifier
from agent.triage.classifier import META_FILE, MODEL_DIR, WEIGHTS_FILE

POLICY = Path(__file__).resolve().parents[2] / "policies" / "escalation.yaml"
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


def test_the_shipped_model_loads_once_and_matches_its_checksum() -> None:
    assert TriageClassifier.load() is TriageClassifier.load()
    weights = MODEL_DIR / WEIGHTS_FILE
    meta = json.loads((MODEL_DIR / META_FILE).read_text())
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == meta["sha256"]
    assert weights.stat().st_size < 2_000_000


@pytest.mark.parametrize(("text", "rule"), [
    ("this is so frustrating, nothing works", "anger"),
    ("I hate this company", "anger"),
    ("ugh, this is so annoying", "anger"),
    ("I'm scared my package got stolen", "distress"),
    ("I want to file a claim about the jacket", "complaint"),
    ("I have a problem with a payment", "payment_dispute"),
])
def test_the_classifier_escalates_what_no_pattern_matches(text: str, rule: str) -> None:
    policy = load_policy(POLICY)
    assert not policy.patterns_only().decide(text).escalate
    verdict = policy.decide(text)
    assert verdict.escalate and verdict.rule == rule
    assert verdict.reasons[0].startswith(f"{rule}: classifier p=")


def test_the_reasons_name_the_rule_and_the_words_that_weighed() -> None:
    verdict = load_policy(POLICY).decide("can I speak to someone")
    assert verdict.rule == "human_request"
    assert verdict.reasons[0].startswith("human_request: The shopper asks for a person")
    classifier_reason = verdict.reasons[1]
    assert classifier_reason.startswith("human_request: classifier p=0.")
    assert "'speak'" in classifier_reason
    assert verdict.scores["p_human"] >= 0.5


@pytest.mark.parametrize("text", ROUTINE)
def test_routine_shopping_questions_stay_with_the_assistant(text: str) -> None:
    verdict = load_policy(POLICY).decide(text)
    assert not verdict.escalate
    assert verdict.scores["p_human"] < 0.4 and verdict.scores["p_charged"] < 0.2


def test_a_score_just_below_a_threshold_is_reported_unsure(tmp_path: Path) -> None:
    text = "I've been waiting three weeks and nobody answers my emails"
    p_charged = load_policy(POLICY).decide(text).scores["p_charged"]
    path = tmp_path / "escalation.yaml"
    path.write_text(POLICY.read_text().replace(
        "charged_threshold: 0.3", f"charged_threshold: {min(p_charged + 0.05, 1):.4f}"))
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
    ("charged_threshold: 0.3", "charged_threshold: 1.5",
     r"line 1\d\d: classifier\.charged_threshold: .*less than or equal to 1"),
    ("    distress: distress\n", "    boredom: distress\n",
     r"line 1\d\d: classifier\.rules\.boredom"),
    ("    priority: 2\n# Business", "    priority: 9\n# Business",
     r"line 1\d\d: triggers\.high_value_customers\.priority"),
    ("min_lifetime_spend: 1000", "min_lifetime_spend: lots",
     r"line 1\d\d: triggers\.high_value_customers\.min_lifetime_spend"),
])
def test_invalid_classifier_and_trigger_settings_fail_with_line_and_reason(
        tmp_path: Path, old: str, new: str, error: str) -> None:
    path = tmp_path / "escalation.yaml"
    text = POLICY.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(PolicyError, match=error):
        load_policy(path)


def test_a_decision_takes_under_20_ms_of_cpu_at_p95() -> None:
    # CPU time of this thread, not wall time: the test machine is shared, and waiting for
    # a core is not the decision's cost (`tandem eval route` and the bench report wall time).
    policy = load_policy(POLICY)
    messages = [*ROUTINE, "this is so frustrating, nothing works", "I'm furious!!! " * 20]
    elapsed = []
    for _ in range(20):
        for text in messages:
            started = time.thread_time_ns()
            policy.decide(text)
            elapsed.append((time.thread_time_ns() - started) / 1e6)
    assert float(np.percentile(elapsed, 95)) < 20
