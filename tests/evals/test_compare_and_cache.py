"""Comparisons put regressions first; the gate fails on them; the model cache keys on the
repeat index so repeats stay independent."""

from __future__ import annotations

import asyncio
from pathlib import Path

from langchain_core.messages import HumanMessage

from agent.llm.scripted import ScriptedChatModel
from evals.cache import CachedChatModel, metering
from evals.compare import compare
from evals.gate import SuiteThreshold, check
from evals.scoring import score_all, summarise
from tests.evals.factories import transcript


def _run(tone_ok: dict[str, bool]) -> object:
    cases = [transcript({"shopper": "hi", "reply": "Hello!" if ok else "As an AI, no."},
                        case_id=cid, suite="s") for cid, ok in tone_ok.items()]
    return summarise(score_all(cases))


def test_compare_lists_regressions_first_and_gate_fails_on_them() -> None:
    baseline = _run({"a": True, "b": True, "c": False})
    candidate = _run({"a": True, "b": False, "c": True})
    diff = compare(baseline, candidate)  # type: ignore[arg-type]
    assert [(c.case_id, c.change) for c in diff.cases[:2]] == [("b", "regressed"),
                                                               ("c", "improved")]
    threshold = SuiteThreshold(suite="x.yaml", min_pass_rate=0.5)
    problems = check(candidate, threshold, baseline)  # type: ignore[arg-type]
    assert any("b regressed" in p for p in problems)
    assert check(baseline, threshold, baseline) == []  # type: ignore[arg-type]
    low = SuiteThreshold(suite="x.yaml", min_pass_rate=0.9)
    assert any("below the threshold" in p for p in check(baseline, low, None))  # type: ignore[arg-type]


def test_cache_reuses_calls_per_repeat_only(tmp_path: Path) -> None:
    inner = ScriptedChatModel(replies=["first", "second", "third"])
    model = CachedChatModel(inner=inner, provider="scripted", model_name="t",
                            cache_dir=tmp_path)
    prompt = [HumanMessage("hello")]

    async def ask(repeat: int) -> tuple[str, int]:
        with metering(repeat) as meter:
            reply = await model.ainvoke(prompt)
        return str(reply.content), meter.cached_calls

    assert asyncio.run(ask(0)) == ("first", 0)
    assert asyncio.run(ask(0)) == ("first", 1)   # rerun: served from the cache
    assert asyncio.run(ask(1)) == ("second", 0)  # another repeat: a fresh sample
    assert len(inner.calls) == 2
