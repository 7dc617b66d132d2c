"""From a classifier score to policy evidence: which rules the classifier fires, and when it
is unsure.

The thresholds and the label-to-rule map come from `policies/escalation.yaml` (the
`classifier:` section, validated as `ClassifierConfig`); `agent.escalation` merges these hits
with its own pattern matches, so one verdict carries both kinds of evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.config_files import check_patterns
from agent.triage.classifier import TriageScore

Head = Literal["route", "charged"]
ClassifierLabel = Literal["refund", "complaint", "contact", "payment", "cancel", "anger",
                          "distress"]


class ClassifierConfig(BaseModel):
    """The `classifier:` section of the escalation policy."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    human_threshold: float = Field(gt=0, le=1, description="route head: P(a person's topic)")
    charged_threshold: float = Field(gt=0, le=1, description="charged head: P(angry or upset)")
    unsure_margin: float = Field(
        default=0.1, ge=0, lt=1,
        description="scores this far below a threshold are reported as unsure")
    rules: dict[ClassifierLabel, str] = Field(
        min_length=1, description="which policy rule a classifier label fires")
    ignore: list[str] = Field(
        default_factory=list,
        description="patterns cut from a message before the classifier reads it: words it "
                    "mistakes for a mood (the apology that opens a correction)")

    @field_validator("ignore")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        return check_patterns(patterns)

    def readable(self, text: str) -> str:
        """The message as the classifier should read it, `ignore` patterns cut out."""
        for pattern in self.ignore:
            text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
        return text

    @model_validator(mode="after")
    def _margin_below_thresholds(self) -> ClassifierConfig:
        if self.unsure_margin >= min(self.human_threshold, self.charged_threshold):
            raise ValueError("unsure_margin must be smaller than both thresholds")
        return self


@dataclass(frozen=True)
class ClassifierHit:
    rule: str
    label: str
    probability: float
    terms: tuple[str, ...]

    def reason(self) -> str:
        """E.g. "anger: classifier p=0.93 ('worst', 'refund')"."""
        quoted = ", ".join(repr(t) for t in self.terms)
        return f"{self.rule}: classifier p={self.probability:.2f} ({quoted or self.label})"


@dataclass(frozen=True)
class ClassifierOutcome:
    score: TriageScore
    hits: tuple[ClassifierHit, ...]
    """Confident: at or above the threshold, each mapped to its policy rule."""
    unsure: bool
    """A head scored within `unsure_margin` below its threshold (an LLM could be asked)."""


def assess(score: TriageScore, config: ClassifierConfig) -> ClassifierOutcome:
    hits: list[ClassifierHit] = []
    unsure = False
    for probability, label, terms, threshold in (
        (score.p_human, score.route_label, score.route_terms, config.human_threshold),
        (score.p_charged, score.charged_label, score.charged_terms, config.charged_threshold),
    ):
        rule = config.rules.get(label)  # type: ignore[call-overload]
        if rule is None:
            continue  # a label the policy does not map is not evidence for any rule
        if probability >= threshold:
            hits.append(ClassifierHit(rule, label, probability, terms))
        elif probability >= threshold - config.unsure_margin:
            unsure = True
    return ClassifierOutcome(score=score, hits=tuple(hits), unsure=unsure)
