"""What a good assistant does, per turn and per conversation: the expectations of a case.

These models define the suite file format (its JSON schema is generated from them) and
travel inside every recorded transcript, so a transcript can be scored with no suite.
Unset fields mean "not checked".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Constraints(_Strict):
    """Hard constraints the shopper stated; every suggestion must honour them."""

    size: str | None = None
    color: str | None = Field(default=None, description="colour word, e.g. blue (grey = gray)")
    max_price: float | None = Field(default=None, gt=0)
    min_price: float | None = Field(default=None, ge=0)


class OrderExpect(_Strict):
    id: str = Field(pattern=r"^#[A-Z]\d{5,8}$", description="the order id, e.g. #R10508")
    shown: bool = Field(description="true: the reply must give this order's status (and "
                                    "tracking id when it has one); false: no detail of it")


class TurnExpect(_Strict):
    intent: str | list[str] | None = Field(
        default=None, description="the intent the router must pick (or one of several)")
    route: Literal["assistant", "human"] | None = None
    handoff: bool | None = Field(default=None, description="a person takes over this turn")
    rule: str | None = Field(default=None, description="escalation rule that must fire")
    min_suggestions: int | None = Field(default=None, ge=0)
    max_suggestions: int | None = Field(default=None, ge=0)
    constraints: Constraints | None = None
    order: OrderExpect | None = None
    first_product: str | None = Field(
        default=None, description="the product (name or id) the first card must be")
    exact_variant: str | None = Field(
        default=None, description="the variant id the first card must be: the one asked for "
                                  "by its options, in stock")
    honest_no: bool | None = Field(
        default=None, description="true: what was asked for is not there (no such variant, "
                                  "or not sellable) and the reply must say so first")
    absent_variant: str | None = Field(
        default=None, description="a variant asked for that is not sellable: no card may be it")
    must_include: list[str] = Field(default_factory=list,
                                    description="case-insensitive phrases the reply contains")
    must_not_include: list[str] = Field(default_factory=list)
    must_match: list[str] = Field(default_factory=list, description="regexes the reply matches")
    must_not_match: list[str] = Field(default_factory=list)


class CaseExpect(_Strict):
    handoff: bool | None = Field(default=None,
                                 description="a person took over at some point (or never)")
    rule: str | None = None
    summary_includes: list[str] = Field(
        default_factory=list, description="facts the handoff summary must carry")
    must_not_include: list[str] = Field(
        default_factory=list, description="phrases no reply of the conversation may contain")
    max_turn_seconds: float | None = Field(default=None, gt=0)
    max_tokens_per_turn: int | None = Field(default=None, gt=0)
    rubric: str | None = Field(default=None, description="for the optional LLM judge")
