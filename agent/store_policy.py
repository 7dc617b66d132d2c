"""The store's own policy (returns, exchanges, shipping): `policies/store_policy.yaml` loaded
into typed facts, plus the questions that ask about each topic.

A question about a policy is answered from this file by a template
(prompts/store_policy.j2), never by a model's guess and never by handing off: the facts are
commitments the retailer makes, so they are said exactly as written.  An invalid file fails
at start-up with the field and the reason (`StorePolicyError`).
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.config_files import check_patterns, load_validated

Topic = Literal["returns", "exchanges", "shipping"]
DEFAULT_PATH = Path(str(files("policies"))) / "store_policy.yaml"
"""The packaged policy file (a retailer's edited copy is passed in by the app)."""


class StorePolicyError(ValueError):
    """The store policy file is missing or invalid; the message names the field."""


class Returns(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_days: int = Field(gt=0, description="days from delivery to send an item back")
    condition: str
    refund_to: str
    refund_business_days: int = Field(gt=0)
    free_return_label: bool


class Exchanges(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    window_days: int = Field(gt=0)
    exchange_for: str = Field(alias="for")
    free: bool


class Shipping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ships_to: str
    free_over: float | None = Field(default=None, ge=0)
    standard_price: float = Field(ge=0)
    express_price: float | None = Field(default=None, ge=0)


class StorePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=1)
    returns: Returns
    exchanges: Exchanges
    shipping: Shipping
    questions: dict[Topic, list[str]] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _patterns_compile(cls, questions: dict[Topic, list[str]]) -> dict[Topic, list[str]]:
        for topic, patterns in questions.items():
            check_patterns(patterns, where=topic)
        return questions

    @cached_property
    def question_patterns(self) -> tuple[tuple[Topic, re.Pattern[str]], ...]:
        return tuple((topic, re.compile(p, re.IGNORECASE))
                     for topic, patterns in self.questions.items() for p in patterns)

    def topic_asked(self, text: str) -> Topic | None:
        """The policy topic `text` asks about, or None when it asks about no policy."""
        return next((topic for topic, pattern in self.question_patterns
                     if pattern.search(text)), None)

    def facts(self, topic: Topic) -> dict[str, Any]:
        """The facts of one topic, for the answer template."""
        section: BaseModel = getattr(self, topic)
        return section.model_dump()


@lru_cache(maxsize=4)
def load_store_policy(path: Path = DEFAULT_PATH) -> StorePolicy:
    """Load and validate the file (cached per path: it is read once per process)."""
    return load_validated(path, StorePolicy, StorePolicyError)
