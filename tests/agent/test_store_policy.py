"""Questions about the store's policy are answered from policies/store_policy.yaml, at once
and in the retailer's words; asking to return something still goes to a person."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from agent.llm.scripted import ScriptedChatModel
from agent.store_policy import StorePolicyError, load_store_policy
from tests.agent.chat import ROOT, context, turns

POLICY = ROOT / "policies" / "store_policy.yaml"


@pytest.mark.parametrize(("text", "says"), [
    ("what is your return policy?", "within 30 days of delivery"),
    ("how long do I have to return a tent?", "within 30 days of delivery"),
    ("do you do exchanges?", "a different size or colour"),
    ("how much is delivery to Denver?", "Standard shipping costs $7.95"),
    ("do you ship to Canada?", "We ship to the United States"),
])
async def test_policy_questions_are_answered_from_the_policy_without_a_handoff(
        engine: Engine, text: str, says: str) -> None:
    model = ScriptedChatModel(default_reply="a reply from the model")
    (state,) = await turns(context(engine, model), text)
    assert state["intent"] == "policy" and state["route"] == "assistant"
    assert says in state["reply"]
    assert state["suggestions"] == [] and not state.get("handoff_summary")
    assert model.calls == [], "the retailer's commitments are not paraphrased by a model"


async def test_asking_to_return_something_still_goes_to_a_person(engine: Engine) -> None:
    (state,) = await turns(context(engine), "I want to return my jacket")
    assert state["route"] == "human" and state["verdict"]["rule"] == "returns"


async def test_an_order_question_about_delivery_is_still_about_the_order(engine: Engine) -> None:
    (state,) = await turns(context(engine), "how long does delivery take for order #R10508?")
    assert state["intent"] == "order_status"


async def test_the_answer_follows_the_file_the_retailer_edits(engine: Engine,
                                                             tmp_path: Path) -> None:
    edited = tmp_path / "store_policy.yaml"
    edited.write_text(POLICY.read_text().replace("window_days: 30", "window_days: 60", 1))
    ctx = context(engine, store_policy=load_store_policy(edited))
    (state,) = await turns(ctx, "what is your return policy?")
    assert "within 60 days of delivery" in state["reply"]


def test_an_invalid_policy_file_names_the_field(tmp_path: Path) -> None:
    broken = tmp_path / "store_policy.yaml"
    broken.write_text(POLICY.read_text().replace("window_days: 30", "window_days: soon", 1))
    with pytest.raises(StorePolicyError, match=r"returns\.window_days"):
        load_store_policy(broken)
