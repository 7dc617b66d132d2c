"""Triage: the fast, measured classifier of messages that need a person (no LLM by default).

`TriageClassifier.load()` reads the shipped model once per process; `.score(text)` gives a
`TriageScore`; `assess(score, config)` turns it into `ClassifierHit`s for the escalation
policy (`agent.escalation`), whose YAML holds the thresholds.  `python -m evals.routing.train`
rebuilds the model from `../shared/data`.
"""

from agent.triage.classifier import TriageClassifier, TriageModelError, TriageScore
from agent.triage.decision import ClassifierConfig, ClassifierHit, ClassifierOutcome, assess
from agent.triage.features import FeatureError

__all__ = [
    "ClassifierConfig",
    "ClassifierHit",
    "ClassifierOutcome",
    "FeatureError",
    "TriageClassifier",
    "TriageModelError",
    "TriageScore",
    "assess",
]
