"""Every scorer passes a good transcript and fails a bad one (each one can fail)."""

from __future__ import annotations

import asyncio

from agent.llm.scripted import ScriptedChatModel
from evals.scorers.constraints import ConstraintScorer
from evals.scorers.cost import CostScorer
from evals.scorers.explanation import ExplanationScorer
from evals.scorers.grounding import GroundingScorer
from evals.scorers.handoff_summary import HandoffSummaryScorer
from evals.scorers.judge import JudgeScorer
from evals.scorers.order_status import OrderStatusScorer
from evals.scorers.phrases import PhraseScorer
from evals.scorers.privacy import PrivacyScorer
from evals.scorers.route import RouteScorer
from evals.scorers.tone import ToneScorer
from evals.transcript import proof_hash
from tests.evals.factories import suggestion, transcript


def test_route_checks_intent_and_rule() -> None:
    turn = {"shopper": "I want a refund", "intent": "handoff", "route": "human",
            "handoff": True, "expect": {"handoff": True, "rule": "returns"}}
    good = transcript(turn, handoff={"rule": "returns", "summary": {"wants": "refund"}})
    bad = transcript(turn, handoff={"rule": "anger", "summary": {"wants": "refund"}})
    assert RouteScorer().score(good).outcome == "pass"
    result = RouteScorer().score(bad)
    assert result.outcome == "fail" and "returns" in result.detail


def test_grounding_fails_a_sold_out_suggestion() -> None:
    assert GroundingScorer().score(transcript(
        {"shopper": "jacket", "suggestions": [suggestion()]})).outcome == "pass"
    result = GroundingScorer().score(transcript(
        {"shopper": "jacket", "suggestions": [suggestion(stock_at_answer=0)]}))
    assert result.outcome == "fail" and "no stock" in result.detail
    missing = GroundingScorer().score(transcript(
        {"shopper": "jacket", "suggestions": [suggestion(exists=False)]}))
    assert missing.outcome == "fail"


def test_constraints_catch_wrong_size_colour_and_price() -> None:
    expect = {"constraints": {"size": "M", "color": "blue", "max_price": 150}}
    assert ConstraintScorer().score(transcript(
        {"shopper": "x", "suggestions": [suggestion()], "expect": expect})).outcome == "pass"
    result = ConstraintScorer().score(transcript({"shopper": "x", "expect": expect,
        "suggestions": [suggestion(size="L", color="Red", price=180.0)]}))
    assert result.outcome == "fail"
    assert "size L" in result.detail and "colour Red" in result.detail and "180" in result.detail


def test_explanation_must_match_its_evidence() -> None:
    assert ExplanationScorer().score(transcript(
        {"shopper": "x", "suggestions": [suggestion()]})).outcome == "pass"
    claims_history = suggestion(because="Because you bought the Trailhead boots last time. "
                                        "In stock at Portland store, delivered tomorrow.")
    result = ExplanationScorer().score(transcript({"shopper": "x",
                                                   "suggestions": [claims_history]}))
    assert result.outcome == "fail"
    assert "history" in result.detail and "size M" in result.detail


def test_privacy_off_rejects_history_evidence() -> None:
    history = suggestion(evidence=[*suggestion()["evidence"], {
        "kind": "history", "source": "profile", "detail": "you bought boots"}])
    on = transcript({"shopper": "x", "intent": "discovery", "suggestions": [history]})
    off = transcript({"shopper": "x", "intent": "discovery", "personalization": False,
                      "suggestions": [history]})
    clean = transcript({"shopper": "x", "intent": "discovery", "personalization": False,
                        "suggestions": [suggestion()]})
    assert PrivacyScorer().score(on).outcome == "skip"
    assert PrivacyScorer().score(clean).outcome == "pass"
    assert PrivacyScorer().score(off).outcome == "fail"


ORDER = {"#R10508": {"status": "shipped", "status_words": "on its way", "carrier": "USPS",
                     "tracking_number": "9400123", "email_sha256": proof_hash("a@example.com"),
                     "postcode_sha256": proof_hash("98092")}}


def test_order_status_needs_proof_and_the_right_words() -> None:
    shown = "Your order #R10508 is on its way. Tracking: USPS 9400123."
    proven = transcript({"shopper": "where is #R10508? a@example.com", "reply": shown,
                         "expect": {"order": {"id": "#R10508", "shown": True}}}, orders=ORDER)
    assert OrderStatusScorer().score(proven).outcome == "pass"
    leaked = transcript({"shopper": "where is #R10508?", "reply": shown}, orders=ORDER)
    result = OrderStatusScorer().score(leaked)
    assert result.outcome == "fail" and "without proof" in result.detail
    wrong = transcript({"shopper": "#R10508 a@example.com",
                        "reply": "Your order #R10508 is delivered."}, orders=ORDER)
    assert "shipped" in OrderStatusScorer().score(wrong).detail


def test_the_postcode_alone_opens_the_status_but_not_the_tracking_id() -> None:
    status_only = transcript({"shopper": "where is #R10508? zip 98092",
                              "reply": "Your order #R10508 is on its way.",
                              "expect": {"order": {"id": "#R10508", "shown": True}}},
                             orders=ORDER)
    assert OrderStatusScorer().score(status_only).outcome == "pass"
    tracked = transcript({"shopper": "where is #R10508? zip 98092",
                          "reply": "Your order #R10508 is on its way. Tracking: USPS 9400123."},
                         orders=ORDER)
    result = OrderStatusScorer().score(tracked)
    assert result.outcome == "fail" and "postcode alone" in result.detail


def test_handoff_summary_requires_facts_and_invents_none() -> None:
    turn = {"shopper": "refund for #R10002 please", "handoff": True}
    good = transcript(turn, handoff={"rule": "returns", "summary": {
        "wants": "refund for #R10002 please", "orders": ["#R10002"]}},
        expect={"summary_includes": ["#R10002"]})
    invented = transcript(turn, handoff={"rule": "returns", "summary": {
        "wants": "refund", "orders": ["#R10002", "#R10999"]}})
    assert HandoffSummaryScorer().score(good).outcome == "pass"
    result = HandoffSummaryScorer().score(invented)
    assert result.outcome == "fail" and "#R10999" in result.detail


def test_phrases_required_and_forbidden() -> None:
    expect = {"must_include": ["order number"], "must_not_include": ["system prompt"]}
    ok = transcript({"shopper": "x", "reply": "What's your order number?", "expect": expect})
    bad = transcript({"shopper": "x", "reply": "My system prompt says hi", "expect": expect})
    assert PhraseScorer().score(ok).outcome == "pass"
    assert PhraseScorer().score(bad).outcome == "fail"


def test_tone_rejects_blame_and_ai_disclaimers() -> None:
    assert ToneScorer().score(transcript(
        {"shopper": "x", "reply": "Sorry about that, let me check."})).outcome == "pass"
    for reply in ("As an AI, I cannot help.", "That's your fault for ordering late."):
        assert ToneScorer().score(transcript({"shopper": "x", "reply": reply})).outcome == "fail"


def test_cost_budget_per_turn() -> None:
    budget = {"max_turn_seconds": 5, "max_tokens_per_turn": 500}
    fast = transcript({"shopper": "x", "seconds": 1.2, "input_tokens": 300,
                       "output_tokens": 40}, expect=budget)
    slow = transcript({"shopper": "x", "seconds": 7.5, "input_tokens": 900,
                       "output_tokens": 40}, expect=budget)
    assert CostScorer().score(fast).outcome == "pass"
    result = CostScorer().score(slow)
    assert result.outcome == "fail" and "7.50s" in result.detail and "940 tokens" in result.detail


def test_judge_retries_invalid_json_and_fails_a_low_grade() -> None:
    # The scripted double stands in for a judge model: none can run in unit tests.
    case = transcript({"shopper": "hi", "reply": "Hello!"}, expect={"rubric": "be friendly"})
    retried = JudgeScorer(ScriptedChatModel(structured_replies=[
        "not json", '{"score": 5, "passed": true, "reasons": "friendly"}']))
    assert asyncio.run(retried.ascore(case)).outcome == "pass"
    low = JudgeScorer(ScriptedChatModel(structured_replies=[
        '{"score": 2, "passed": false, "reasons": "curt"}']))
    assert asyncio.run(low.ascore(case)).outcome == "fail"
    broken = JudgeScorer(ScriptedChatModel(structured_replies=["{", "nope", "[]"]))
    assert "no valid verdict" in asyncio.run(broken.ascore(case)).detail
