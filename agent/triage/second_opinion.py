"""A second opinion from the chat model on messages the classifier is unsure about.

Off unless `classifier.second_opinion.enabled` is true in `policies/escalation.yaml`: the
most it could add on the validation is two points of recall, for 1-2 s per unsure turn,
and no gain has been measured yet (README, "The triage classifier";
`python -m evals.routing.second_opinion_check` measures it).  When on, a message the
classifier scored within `unsure_margin` below a threshold, and that nothing else
escalated, is put to the model with a JSON schema (`prompts/triage_second_opinion*.j2`);
"person" escalates it under the rule named in `second_opinion.rule`.  A slow, failed or
invalid answer changes nothing.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.llm.structured import _bind_schema, ask_json
from agent.prompts import PromptLibrary

log = logging.getLogger(__name__)
MAX_TOKENS = 16  # {"route": "assistant"} and no more
# The router node is synchronous; one worker thread runs the blocking call so a timeout
# can be honoured (the generation itself is bounded by the model's own timeout).
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="second-opinion")


class SecondOpinionSettings(BaseModel):
    """The `classifier.second_opinion:` section of the escalation policy."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    timeout_s: float = Field(default=3.0, gt=0, le=30,
                             description="how long a turn may wait for the model's answer")
    rule: str = Field(default="human_request",
                      description="the policy rule a 'person' answer fires")


class Judgement(BaseModel):
    route: Literal["person", "assistant"]


def prompt(prompts: PromptLibrary, text: str) -> list[BaseMessage]:
    return [SystemMessage(prompts.render("triage_second_opinion_system")),
            HumanMessage(prompts.render("triage_second_opinion", message=text))]


async def ask(model: BaseChatModel, prompts: PromptLibrary, text: str, *,
              timeout_s: float) -> bool | None:
    """True for "person", False for "assistant", None without a usable answer."""
    found = await ask_json(model, prompt(prompts, text), Judgement, timeout_s=timeout_s,
                           attempts=1, max_tokens=MAX_TOKENS)
    return None if found is None else found.route == "person"


def _invoke(model: BaseChatModel, messages: list[BaseMessage]) -> Judgement | None:
    # The same schema binding as `ask_json`, called synchronously: the router runs in a
    # worker thread with no event loop of its own.
    reply = _bind_schema(model, Judgement, MAX_TOKENS).invoke(messages)
    try:
        return Judgement.model_validate(json.loads(str(reply.content)))
    except (json.JSONDecodeError, ValidationError):
        return None


def ask_blocking(model: BaseChatModel, prompts: PromptLibrary, text: str, *,
                 timeout_s: float) -> bool | None:
    """`ask` for synchronous callers (the router node)."""
    future = _POOL.submit(_invoke, model, prompt(prompts, text))
    try:
        found = future.result(timeout=timeout_s)
    except FutureTimeout:
        log.warning("second opinion timed out after %.1fs", timeout_s)
        return None
    except Exception as exc:  # noqa: BLE001 - any provider failure leaves the verdict as is
        log.warning("second opinion failed: %s: %s", exc.__class__.__name__, exc)
        return None
    return None if found is None else found.route == "person"
