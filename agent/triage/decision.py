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
from agent.triage.second_opinion import SecondOpinionSettings

Head = Literal["route", "charged"]
ClassifierLabel = Literal["refund", "complaint", "contact", "payment", "cancel", "anger",
                          "distress"]


class ClassifierConfig(BaseModel):
    """The `classifier:` section of the escalation policy."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    human_threshold: float = Field(gt=0, le=1, description="route head: P(a person's topic)")
    charged_threshold: float = Field(gt=0, le=1, description="charged head: P(angry or upset)")
    overrule_below: float | None = Field(
        default=None, gt=0, lt=1,
        description="below this P(a person's topic), and calm, the classifier overrules the "
                    "patterns of rules marked `overrulable` (None: it never does)")
    unsure_margin: float = Field(
        default=0.1, ge=0, lt=1,
        description="scores this far below a threshold are reported as unsure")
    rules: dict[ClassifierLabel, str] = Field(
        min_length=1, description="which policy rule a classifier label fires")
    second_opinion: SecondOpinionSettings = Field(
        default_factory=SecondOpinionSettings,
        description="ask the chat model about messages the classifier is unsure of")
    ignore: list[str] = Field(
        default_factory=list,
        description="patterns cut from a message before the classifier reads it: words it "
                    "mistakes for a mood (the apology that opens a correction)")

    shopping: list[str] = Field(
        default_factory=list,
        description="patterns of a message that asks to buy something: when one matches "
                    "and no rule's own pattern did, the route head alone hands no one to a "
                    "person (the charged head still does)")

    @field_validator("ignore", "shopping")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        return check_patterns(patterns)

    def asks_to_buy(self, text: str) -> bool:
        return any(re.search(p, text, flags=re.IGNORECASE) for p in self.shopping)

    def readable(self, text: str) -> str:
        """The message as the classifier should read it, `ignore` patterns cut out."""
        for pattern in self.ignore:
            text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
        return text

    @model_validator(mode="after")
    def _margin_below_thresholds(self) -> ClassifierConfig:
        if self.unsure_margin >= min(self.human_threshold, self.charged_threshold):
            raise ValueError("unsure_margin must be smaller than both thresholds")
        if self.overrule_below is not None and self.overrule_below >= self.human_threshold:
            raise ValueError("overrule_below must be below human_threshold")
        return self


@dataclass(frozen=True)
class ClassifierHit:
    rule: str
    label: str
    probability: float
    evidence: tuple[str, ...]

    def reason(self) -> str:
        """E.g. "anger: classifier p=0.93 (anger; close to 'this is ridiculous'; VADER -0.71)"."""
        return (f"{self.rule}: classifier p={self.probability:.2f} "
                f"({'; '.join((self.label, *self.evidence))})")


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
    for probability, label, evidence, threshold in (
        (score.p_human, score.route_label, score.route_evidence, config.human_threshold),
        (score.p_charged, score.charged_label, score.charged_evidence,
         config.charged_threshold),
    ):
        rule = config.rules.get(label)  # type: ignore[call-overload]
        if rule is None:
            continue  # a label the policy does not map is not evidence for any rule
        if probability >= threshold:
            hits.append(ClassifierHit(rule, label, probability, evidence))
        elif probability >= threshold - config.unsure_margin:
            unsure = True
    return ClassifierOutcome(score=score, hits=tuple(hits), unsure=unsure)
