"""The escalation policy: `policies/escalation.yaml` loaded into typed, compiled rules.

The file is the single source of truth for when a person takes over: pattern rules, the
thresholds of the triage classifier (`agent.triage`) and which rule a classifier hit fires,
and the configurable triggers.  An invalid file fails at start-up with the line and the
reason (`PolicyError`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.config_files import check_patterns
from agent.prompts import PromptLibrary
from agent.triage import (
    ClassifierConfig,
    FeatureError,
    TriageClassifier,
    TriageModelError,
    TriageScore,
    assess,
)
from agent.triage.features import compound
from agent.triage.second_opinion import ask_blocking

log = logging.getLogger(__name__)

LOCKED_RULES = frozenset({"safety", "legal_threat", "human_request", "anger", "distress"})


class PolicyError(ValueError):
    """The policy file is missing, malformed or invalid; the message names the line."""


class EscalationRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    priority: int = Field(ge=1, le=5)
    mood: str = "neutral"
    locked: bool = False
    enabled: bool = True
    patterns: list[str] = Field(default_factory=list)
    unless: list[str] = Field(
        default_factory=list, description="patterns that cancel a match (e.g. policy questions)"
    )
    unless_positive: list[str] = Field(
        default_factory=list,
        description="patterns that count only when the message's tone is not positive "
                    "(VADER compound below `positive_tone`): '!!!' and swearing are as often "
                    "delight ('so cute!!!', 'thank you so much!!!') as anger")
    positive_tone: float = Field(
        default=0.5, ge=-1.0, le=1.0,
        description="the VADER compound score at and above which `unless_positive` "
                    "patterns are dropped")
    max_turns_without_progress: int | None = Field(default=None, ge=1)
    overrulable: bool = Field(
        default=False,
        description="a pattern match is dropped when the classifier is sure the message is "
                    "routine (classifier.overrule_below): 'in which cases can I ask for a "
                    "refund?' names a refund but asks about the policy")

    @field_validator("patterns", "unless", "unless_positive")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        return check_patterns(patterns)

    @field_validator("overrulable")
    @classmethod
    def _locked_rules_cannot_be_overruled(cls, overrulable: bool, info: Any) -> bool:
        if overrulable and (info.data.get("locked") or info.data.get("id") in LOCKED_RULES):
            raise ValueError("a locked trigger cannot be overrulable")
        return overrulable

    @property
    def active(self) -> bool:
        # Locked triggers cannot be switched off, whatever `enabled` says.
        return self.locked or self.id in LOCKED_RULES or self.enabled


class HighValueCustomers(BaseModel):
    """Customers worth a person's attention sooner (acted on by the handoff service)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    min_lifetime_spend: float = Field(ge=0)
    priority: int = Field(default=2, ge=1, le=5)


class Triggers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    high_value_customers: HighValueCustomers | None = None


class _PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=1)
    addressing: list[str] = Field(
        default_factory=list,
        description="patterns cut from a message before any rule or the classifier reads "
                    "it: who a post is addressed to (@handles) and links")
    rules: list[EscalationRule] = Field(min_length=1)
    classifier: ClassifierConfig | None = None
    triggers: Triggers = Field(default_factory=Triggers)

    @field_validator("addressing")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        return check_patterns(patterns)


class Verdict(BaseModel):
    """A structured escalation decision, stored with the handoff for agents and auditors."""

    escalate: bool
    rule: str | None = None
    priority: int | None = None
    mood: str = "neutral"
    reasons: list[str] = Field(default_factory=list)
    unsure: bool = False
    """The classifier scored just below a threshold: a candidate for a second opinion."""
    scores: dict[str, float] = Field(default_factory=dict)
    """The classifier's `p_human` and `p_charged`, for audit (empty without a classifier)."""
    overruled: list[str] = Field(default_factory=list)
    """Overrulable rules whose pattern matched but the classifier was sure it was routine."""


@dataclass(frozen=True)
class EscalationPolicy:
    rules: tuple[EscalationRule, ...]
    _compiled: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    _unless: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    _unless_positive: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    classifier: TriageClassifier | None = None
    classifier_config: ClassifierConfig | None = None
    triggers: Triggers = field(default_factory=Triggers)
    addressing: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_rules(cls, rules: list[EscalationRule], *,
                   classifier: TriageClassifier | None = None,
                   classifier_config: ClassifierConfig | None = None,
                   triggers: Triggers | None = None,
                   addressing: list[str] | tuple[str, ...] = ()) -> EscalationPolicy:
        compiled = {
            rule.id: tuple(re.compile(p, re.IGNORECASE) for p in rule.patterns) for rule in rules
        }
        unless = {
            rule.id: tuple(re.compile(p, re.IGNORECASE) for p in rule.unless) for rule in rules
        }
        unless_positive = {
            rule.id: tuple(re.compile(p, re.IGNORECASE) for p in rule.unless_positive)
            for rule in rules
        }
        return cls(rules=tuple(rules), _compiled=compiled, _unless=unless,
                   _unless_positive=unless_positive,
                   classifier=classifier, classifier_config=classifier_config,
                   triggers=triggers or Triggers(),
                   addressing=tuple(re.compile(p, re.IGNORECASE) for p in addressing))

    def classifier_text(self, text: str) -> str:
        """The message as the classifier reads it, at training as at decision time: not
        addressed, and the classifier's `ignore` patterns cut out."""
        return self._readable(self.unaddressed(text))

    def _readable(self, unaddressed: str) -> str:
        config = self.classifier_config
        return config.readable(unaddressed) if config is not None else unaddressed

    def unaddressed(self, text: str) -> str:
        """The message without who it is addressed to ("@AmazonHelp ...") and links: the
        same request whether it is typed in the widget or posted to the brand."""
        cut = text
        for pattern in self.addressing:
            cut = pattern.sub(" ", cut)
        return text if cut == text else " ".join(cut.split())

    def patterns_only(self) -> EscalationPolicy:
        """The same policy without the classifier (the baseline in evals and benches)."""
        return replace(self, classifier=None)

    def rule(self, rule_id: str) -> EscalationRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def decide(self, text: str, *, turns_without_progress: int = 0,
               repeated_question: bool = False, model: BaseChatModel | None = None,
               prompts: PromptLibrary | None = None) -> Verdict:
        """Check every active rule and the classifier; the most urgent match wins, all
        matches are reasons (pattern evidence before classifier evidence for a rule).

        With `model` and `prompts`, and the policy's `second_opinion` enabled, a message
        the classifier is unsure about and nothing escalated is put to the model."""
        score = None
        config = self.classifier_config
        text = self.unaddressed(text)
        if self.classifier is not None and config is not None:
            try:
                score = self.classifier.score(self._readable(text))
            except FeatureError as exc:  # no embedding model here: the patterns still hold
                _warn_once(str(exc))
        verdict = self._decide(text, score, turns_without_progress=turns_without_progress,
                               repeated_question=repeated_question)
        if (verdict.escalate or not verdict.unsure or config is None or model is None
                or prompts is None or not config.second_opinion.enabled):
            return verdict
        settings = config.second_opinion
        if not ask_blocking(model, prompts, text, timeout_s=settings.timeout_s):
            return verdict
        rule = self.rule(settings.rule)
        if rule is None or not rule.active:
            return verdict
        return verdict.model_copy(update={
            "escalate": True, "rule": rule.id, "priority": rule.priority, "mood": rule.mood,
            "reasons": [f"{rule.id}: the chat model's second opinion (classifier unsure, "
                        f"p_human={verdict.scores.get('p_human', 0):.2f}, "
                        f"p_charged={verdict.scores.get('p_charged', 0):.2f})"]})

    def decide_scored(self, text: str, score: TriageScore | None, *,
                      turns_without_progress: int = 0,
                      repeated_question: bool = False) -> Verdict:
        """`decide` with the classifier's score already computed (validation scores many
        messages in one matrix product, then decides each exactly as the router does)."""
        return self._decide(self.unaddressed(text), score,
                            turns_without_progress=turns_without_progress,
                            repeated_question=repeated_question)

    def _decide(self, text: str, score: TriageScore | None, *, turns_without_progress: int,
                repeated_question: bool) -> Verdict:
        """The verdict on a message already cut of its addressing."""
        matches: list[tuple[EscalationRule, str]] = []
        cancelled: set[str] = set()
        for rule in self.rules:
            if not rule.active or any(p.search(text) for p in self._unless[rule.id]):
                cancelled.add(rule.id)
                continue
            found = self._match(rule, text)
            if found:
                matches.append((rule, f"{rule.id}: {rule.description} (matched {found!r})"))
        repeat_rule = self.rule("repeated_failure")
        if repeat_rule is not None and repeat_rule.active:
            limit = repeat_rule.max_turns_without_progress
            evidence = ("the same question was asked again" if repeated_question else
                        f"{turns_without_progress} turns without progress"
                        if limit is not None and turns_without_progress >= limit else None)
            if evidence:
                matches.append((repeat_rule,
                                f"{repeat_rule.id}: {repeat_rule.description} "
                                f"(matched {evidence!r})"))
        unsure, scores, overruled = False, {}, []
        config = self.classifier_config
        # A shopping request the patterns found nothing in: the route head learnt its topics
        # from messages that list products and their options (tau-bench's returns), and read
        # "need a coffee maker, color: black, ... got one?" as a return.
        shopping = config is not None and not matches and config.asks_to_buy(text)
        if score is not None and config is not None:
            if (config.overrule_below is not None and score.p_human < config.overrule_below
                    and score.p_charged < config.charged_threshold):
                overruled = [rule.id for rule, _ in matches if rule.overrulable]
                matches = [(rule, reason) for rule, reason in matches if not rule.overrulable]
            outcome = assess(score, config)
            unsure = outcome.unsure
            scores = {"p_human": round(outcome.score.p_human, 4),
                      "p_charged": round(outcome.score.p_charged, 4)}
            for hit in outcome.hits:
                hit_rule = self.rule(hit.rule)
                # A disabled rule, or one whose `unless` matched, stays silent here too.
                if shopping and hit.label == outcome.score.route_label:
                    continue
                if hit_rule is not None and hit_rule.id not in cancelled:
                    matches.append((hit_rule, hit.reason()))
        if not matches:
            return Verdict(escalate=False, unsure=unsure, scores=scores, overruled=overruled)
        matches.sort(key=lambda m: m[0].priority)
        top = matches[0][0]
        return Verdict(escalate=True, rule=top.id, priority=top.priority, mood=top.mood,
                       reasons=[reason for _, reason in matches], unsure=unsure,
                       scores=scores, overruled=overruled)


    def _match(self, rule: EscalationRule, text: str) -> str | None:
        """The text a rule's pattern matched: its `patterns`, else its `unless_positive`
        ones when the message does not read as positive."""
        for pattern in self._compiled[rule.id]:
            found = pattern.search(text)
            if found:
                return found.group(0)
        for pattern in self._unless_positive.get(rule.id, ()):
            found = pattern.search(text)
            if found:
                return found.group(0) if compound(text) < rule.positive_tone else None
        return None


@lru_cache(maxsize=8)
def _warn_once(message: str) -> None:
    log.warning("escalation classifier off, patterns only: %s", message)


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {str(k): v for k, v in
                               loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _line_of(raw: Any, loc: tuple[int | str, ...]) -> int | None:
    line = raw.get("__line__") if isinstance(raw, dict) else None
    node = raw
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "__line__" in node:
            line = node["__line__"]
    return line


def load_policy(path: Path, *, with_model: bool = True) -> EscalationPolicy:
    """Load and validate the policy file; raise `PolicyError` naming the line and reason.

    `with_model=False` leaves the shipped classifier unloaded (validation and training
    score with models of their own through `decide_scored`)."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: policy file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(f"{path}{where}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"{path} line 1: expected a mapping with 'version' and 'rules'")
    try:
        parsed = _PolicyFile.model_validate(_strip_lines(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        line = _line_of(raw, loc)
        where = ".".join(str(p) for p in loc)
        raise PolicyError(f"{path} line {line}: {where}: {first['msg']}") from exc
    ids = [rule.id for rule in parsed.rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PolicyError(f"{path}: duplicate rule ids: {', '.join(duplicates)}")
    classifier = None
    config = parsed.classifier
    unknown = sorted(set(config.rules.values()) - set(ids)) if config is not None else []
    if unknown:
        line = _line_of(raw, ("classifier", "rules"))
        raise PolicyError(f"{path} line {line}: classifier.rules: unknown rules: "
                          f"{', '.join(unknown)}")
    if config is not None and config.second_opinion.rule not in ids:
        line = _line_of(raw, ("classifier", "second_opinion"))
        raise PolicyError(f"{path} line {line}: classifier.second_opinion.rule: unknown rule: "
                          f"{config.second_opinion.rule}")
    if config is not None and config.enabled and with_model:
        line = _line_of(raw, ("classifier",))
        try:
            classifier = TriageClassifier.load()
        except TriageModelError as exc:
            raise PolicyError(f"{path} line {line}: classifier: {exc}") from exc
    return EscalationPolicy.from_rules(parsed.rules, classifier=classifier,
                                       classifier_config=config, triggers=parsed.triggers,
                                       addressing=parsed.addressing)
