"""An order look-up hands over an email address or postcode as proof; the words that hand it
over are not a topic for a person (the classifier read "my email is ..." as a cancellation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.escalation import load_policy

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policies" / "escalation.yaml")


@pytest.mark.parametrize("text", [
    "what happened to order #R10001? my email is pschmidt@example.org",
    "Has order #R10002 arrived? The email on it is hlee@example.com",
    "what happened to order #R10001? email: a.b@example.com",
    "status of #R10371, postcode 78798",
])
def test_the_proof_of_an_order_look_up_stays_with_the_assistant(text: str) -> None:
    verdict = POLICY.decide(text)
    assert not verdict.escalate, verdict.reasons


@pytest.mark.parametrize("text", [
    "I want a refund, my email is a.b@example.com",
    "cancel my order #R10001, the email on it is hlee@example.com",
])
def test_a_request_for_a_person_with_its_proof_still_goes_to_one(text: str) -> None:
    assert POLICY.decide(text).escalate
