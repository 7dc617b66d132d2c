"""An experiment's definition: the YAML file a retailer writes (or the admin API's body),
validated into a typed model.  A mistake fails with the file, the field and the reason,
before anything starts (`ExperimentError`), like the policy files.

    name: assistant-vs-control
    variants: {control: 0.5, assistant: 0.5}   # control: no assistant
    primary: conversion
    guardrails: [return_rate, csat]

A variant is a share, or a mapping with the share and what it changes:

    variants:
      control: 0.5
      short-prompts: {share: 0.5, prompts_dir: /srv/tandem/prompts-short}

The variant named by `control` (default "control") shows no assistant unless it says
`assistant: true` (an A/B test between two assistants); every other variant shows it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.config_files import load_validated
from agent.escalation import load_policy
from agent.store_policy import load_store_policy
from api.experiments.metrics import COMPOSITE_PARTS, METRICS

NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class ExperimentError(ValueError):
    """The experiment definition is invalid; the message names the field and the reason."""


class Variant(BaseModel):
    """One arm: its traffic share and what it changes in the assistant's turns."""

    model_config = ConfigDict(extra="forbid")

    share: float = Field(gt=0, le=1, description="share of visitors, 0-1")
    assistant: bool | None = Field(
        default=None, description="show the assistant; default: every variant but the control")
    prompts_dir: Path | None = Field(default=None, description="a folder of prompt templates")
    policies_dir: Path | None = Field(
        default=None, description="a folder with escalation.yaml and store_policy.yaml")
    llm_model: str | None = Field(default=None, description="another model of the provider")
    max_suggestions: int | None = Field(default=None, ge=1, le=10)

    @field_validator("prompts_dir")
    @classmethod
    def _prompts(cls, folder: Path | None) -> Path | None:
        if folder is not None and not (folder / "system.j2").is_file():
            raise ValueError(f"{folder} is not a prompts folder (no system.j2 in it)")
        return folder

    @field_validator("policies_dir")
    @classmethod
    def _policies(cls, folder: Path | None) -> Path | None:
        """Both policy files load (their own errors name the line), or the variant fails."""
        if folder is not None:
            load_policy(folder / "escalation.yaml")
            load_store_policy(folder / "store_policy.yaml")
        return folder


class ExperimentDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME, description="lower-case letters, digits, - and _")
    description: str = Field(default="", max_length=500)
    variants: dict[str, Variant] = Field(min_length=2)
    control: str = Field(default="control", description="the variant lifts are measured against")
    primary: str = Field(description="the metric the experiment decides on")
    guardrails: list[str] = Field(default_factory=list,
                                  description="metrics that must not get worse")
    mde: float = Field(default=0.05, gt=0, le=1,
                       description="minimum detectable effect, relative (0.05 = 5%)")
    power: float = Field(default=0.8, gt=0.5, lt=1)
    horizon_days: int | None = Field(
        default=None, ge=1, le=365,
        description="fixed horizon: verdicts are given once it has passed; default: the "
                    "purchase cycle (TANDEM_EXPERIMENT_PURCHASE_CYCLE_DAYS)")
    weights: dict[str, float] = Field(
        default_factory=lambda: {"revenue": 1.0, "returns": -20.0, "human_minutes": -0.5},
        description="the composite score's weights per visitor: revenue, margin, returns, "
                    "csat (net satisfied answers), human_minutes")

    @field_validator("variants", mode="before")
    @classmethod
    def _shares_as_variants(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            return {k: {"share": v} if isinstance(v, int | float) and not isinstance(v, bool)
                    else v for k, v in raw.items()}
        return raw

    @field_validator("variants")
    @classmethod
    def _variant_names(cls, variants: dict[str, Variant]) -> dict[str, Variant]:
        for name in variants:
            if not re.match(NAME, name):
                raise ValueError(f"variant name {name!r}: use lower-case letters, digits, - and _")
        total = sum(v.share for v in variants.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"shares add up to {total:g}; they must add up to 1")
        return variants

    @field_validator("primary")
    @classmethod
    def _known_primary(cls, name: str) -> str:
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}")
        return name

    @field_validator("guardrails")
    @classmethod
    def _known_guardrails(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in METRICS]
        if unknown:
            raise ValueError(f"unknown metric(s) {', '.join(unknown)}; known: "
                             f"{', '.join(METRICS)}")
        return list(dict.fromkeys(names))

    @field_validator("weights")
    @classmethod
    def _known_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in weights if k not in COMPOSITE_PARTS]
        if unknown:
            raise ValueError(f"unknown weight(s) {', '.join(unknown)}; known: "
                             f"{', '.join(COMPOSITE_PARTS)}")
        return weights

    @model_validator(mode="after")
    def _control_is_a_variant(self) -> ExperimentDefinition:
        if self.control not in self.variants:
            raise ValueError(f"control: {self.control!r} is not one of the variants "
                             f"({', '.join(self.variants)})")
        return self

    def shows_assistant(self, variant: str) -> bool:
        chosen = self.variants[variant].assistant
        return chosen if chosen is not None else variant != self.control

    @property
    def treatments(self) -> list[str]:
        """The variants measured against the control, in the file's order."""
        return [v for v in self.variants if v != self.control]


def load_definition(path: Path) -> ExperimentDefinition:
    """The file as a definition, or `ExperimentError` naming the file, field and reason."""
    return load_validated(path, ExperimentDefinition, ExperimentError)


def parse_definition(raw: Any) -> ExperimentDefinition:
    """A definition from already-parsed data (the admin API's body, a stored definition)."""
    from pydantic import ValidationError

    try:
        return ExperimentDefinition.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ExperimentError(f"{where}: {first['msg']}" if where else first["msg"]) from exc
