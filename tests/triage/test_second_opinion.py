"""The chat model's second opinion on messages the classifier is unsure about: off by
default, asked only when on and unsure, and a bad answer never changes the verdict.

The chat model is the scripted double (no network, no local model): what is tested is the
policy's wiring, not the model's judgement (that is measured in the README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.escalation import PolicyError, load_policy
from agent.llm.scripted import ScriptedChatModel
from agent.prompts import prompt_library

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "escalation.yaml"
PROMPTS = prompt_library(ROOT / "prompts")
# Something the classifier is unsure about: just below the threshold once it is raised.
TEXT = "the zip on my new jacket keeps getting stuck"


def _policy_unsure_about(text: str, tmp_path: Path, *, enabled: bool) -> Path:
    policy = load_policy(POLICY)
    score = policy.decide(text).scores["p_human"]
    threshold = min(score + 0.01, 0.99)
    content = POLICY.read_text().replace("unsure_margin: 0.1", "unsure_margin: 0.02")
    content = content.replace("human_threshold: ", f"human_threshold: {threshold:.4f}  # ", 1)
    content = content.replace("charged_threshold: ", "charged_threshold: 0.99  # ", 1)
    content = content.replace("second_opinion:\n    enabled: false",
                              f"second_opinion:\n    enabled: {str(enabled).lower()}")
    path = tmp_path / "escalation.yaml"
    path.write_text(content)
    return path


def test_the_second_opinion_is_off_in_the_shipped_policy() -> None:
    model = ScriptedChatModel(structured_replies=['{"route": "person"}'])
    load_policy(POLICY).decide(TEXT, model=model, prompts=PROMPTS)
    assert model.calls == []


def test_when_on_an_unsure_message_is_put_to_the_model(tmp_path: Path) -> None:
    policy = load_policy(_policy_unsure_about(TEXT, tmp_path, enabled=True))
    assert policy.decide(TEXT).unsure and not policy.decide(TEXT).escalate
    model = ScriptedChatModel(structured_replies=['{"route": "person"}'])
    verdict = policy.decide(TEXT, model=model, prompts=PROMPTS)
    assert verdict.escalate and verdict.rule == "human_request"
    assert "second opinion" in verdict.reasons[0]
    assert len(model.calls) == 1 and model.calls[0]["structured"]
    assert TEXT in str(model.calls[0]["messages"][-1].content)


@pytest.mark.parametrize("reply", ['{"route": "assistant"}', "not json", '{"route": "maybe"}',
                                   RuntimeError("model down")])
def test_an_assistant_or_unusable_answer_leaves_the_verdict(tmp_path: Path,
                                                            reply: object) -> None:
    policy = load_policy(_policy_unsure_about(TEXT, tmp_path, enabled=True))
    model = ScriptedChatModel(structured_replies=[reply])  # type: ignore[list-item]
    verdict = policy.decide(TEXT, model=model, prompts=PROMPTS)
    assert not verdict.escalate and verdict.unsure


def test_a_confident_message_is_never_put_to_the_model(tmp_path: Path) -> None:
    policy = load_policy(_policy_unsure_about(TEXT, tmp_path, enabled=True))
    model = ScriptedChatModel(structured_replies=['{"route": "person"}'])
    assert not policy.decide("hiking boots size 10", model=model, prompts=PROMPTS).escalate
    assert policy.decide("let me talk to a real person", model=model, prompts=PROMPTS).escalate
    assert model.calls == []


def test_a_second_opinion_rule_the_policy_lacks_fails_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "escalation.yaml"
    path.write_text(POLICY.read_text().replace("rule: human_request", "rule: oracle"))
    with pytest.raises(PolicyError, match=r"line \d+: classifier\.second_opinion\.rule: "
                                          r"unknown rule: oracle"):
        load_policy(path)
