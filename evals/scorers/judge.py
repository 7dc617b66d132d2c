"""An optional LLM judge: a model grades the conversation against a rubric.

The verdict must be JSON matching `JudgeVerdict`; `ask_json` validates it with Pydantic
and asks again when the model's answer is not valid JSON.  No verdict after the retries
is a failure of the case, not a silent pass.  The prompt lives in
`evals/prompts/judge*.j2`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agent.llm.structured import ask_json
from agent.prompts import prompt_library
from evals.scorers.base import ScoreResult
from evals.transcript import Transcript

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"  # evals/prompts, beside the engine
PASS_MARK = 3


class JudgeVerdict(BaseModel):
    score: int = Field(ge=1, le=5, description="1 = harmful or useless, 5 = ideal")
    passed: bool
    reasons: str = Field(max_length=600)


class JudgeScorer:
    name: ClassVar[str] = "judge"

    def __init__(self, model: BaseChatModel, *, default_rubric: str | None = None,
                 timeout_s: float = 60.0, attempts: int = 3) -> None:
        self.model = model
        self.default_rubric = default_rubric
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.prompts = prompt_library(PROMPTS_DIR)

    async def ascore(self, transcript: Transcript) -> ScoreResult:
        rubric = transcript.expect.rubric or self.default_rubric
        if not rubric:
            return ScoreResult(scorer=self.name, outcome="skip", detail="no rubric")
        messages = [SystemMessage(self.prompts.render("judge_system")),
                    HumanMessage(self.prompts.render("judge", rubric=rubric,
                                                     turns=transcript.turns))]
        found = await ask_json(self.model, messages, JudgeVerdict, timeout_s=self.timeout_s,
                               attempts=self.attempts)
        if found is None:
            return ScoreResult(scorer=self.name, outcome="fail", score=0.0,
                               detail=f"no valid verdict after {self.attempts} attempts")
        ok = found.passed and found.score >= PASS_MARK
        return ScoreResult(scorer=self.name, outcome="pass" if ok else "fail",
                           score=(found.score - 1) / 4, detail=f"{found.score}/5: "
                           f"{found.reasons}")
