"""The trained triage model: how likely a message needs a person, and how charged it is.

Two small multinomial logistic regressions over the same TF-IDF features
(`agent.triage.features`):

- the *route* head (Bitext intents): `assistant` or one of the topics a person handles
  (`refund`, `complaint`, `contact`, `payment`, `cancel`);
- the *charged* head (GoEmotions): `calm`, `anger` (anger, annoyance, disgust,
  disappointment, disapproval) or `distress` (sadness, grief, fear, nervousness, remorse,
  embarrassment).

The model ships in `agent/triage/model/` (built by `python -m evals.routing.train`) and is
loaded once per process.  Scoring is numpy only: no LLM, well under a millisecond.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from agent.triage.features import WORD, Featurizer

MODEL_DIR = Path(__file__).resolve().parent / "model"
WEIGHTS_FILE = "triage.npz"
META_FILE = "meta.json"
ROUTE_NEUTRAL = "assistant"
CHARGED_NEUTRAL = "calm"


class TriageModelError(RuntimeError):
    """The shipped model is missing or unreadable (rebuild: `python -m evals.routing.train`)."""


@dataclass(frozen=True)
class TriageScore:
    p_human: float
    """Probability the message is about a topic a person handles (1 - P(assistant))."""
    p_charged: float
    """Probability the message is angry or distressed (1 - P(calm))."""
    route_label: str
    """The most likely person-topic (`refund`, `complaint`, `contact`, `payment`, `cancel`)."""
    charged_label: str
    """The more likely of `anger` and `distress`."""
    route_terms: tuple[str, ...]
    """The words that pushed most towards `route_label` (for the verdict's reasons)."""
    charged_terms: tuple[str, ...]

    @property
    def label(self) -> str:
        """The label of whichever head is more confident."""
        return self.route_label if self.p_human >= self.p_charged else self.charged_label


@dataclass(frozen=True)
class _Head:
    labels: tuple[str, ...]
    coef: np.ndarray  # (labels, features)
    intercept: np.ndarray
    neutral: int

    def probabilities(self, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
        logits = self.coef[:, idx].astype(np.float64) @ values + self.intercept
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def top(self, probs: np.ndarray) -> int:
        others = probs.copy()
        others[self.neutral] = -1.0
        return int(np.argmax(others))


class TriageClassifier:
    """Scores a shopper message with both heads; `load()` reads the shipped model once."""

    def __init__(self, featurizer: Featurizer, route: _Head, charged: _Head,
                 meta: dict[str, object]) -> None:
        self.featurizer = featurizer
        self.route = route
        self.charged = charged
        self.meta = meta

    @classmethod
    def load(cls, model_dir: Path = MODEL_DIR) -> TriageClassifier:
        return _load_cached(model_dir.resolve())

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict[str, object]
                    ) -> TriageClassifier:
        vocabulary = bytes(arrays["vocabulary"]).decode("utf-8").split("\n")
        featurizer = Featurizer(vocabulary, arrays["idf"].astype(np.float64))
        heads = {}
        for name, neutral in (("route", ROUTE_NEUTRAL), ("charged", CHARGED_NEUTRAL)):
            labels = tuple(str(x) for x in meta[f"{name}_labels"])  # type: ignore[attr-defined]
            heads[name] = _Head(labels=labels, coef=arrays[f"{name}_coef"],
                                intercept=arrays[f"{name}_intercept"].astype(np.float64),
                                neutral=labels.index(neutral))
        return cls(featurizer, heads["route"], heads["charged"], meta)

    def score(self, text: str) -> TriageScore:
        idx, values = self.featurizer.transform_one(text)
        route_p = self.route.probabilities(idx, values)
        charged_p = self.charged.probabilities(idx, values)
        route_top, charged_top = self.route.top(route_p), self.charged.top(charged_p)
        return TriageScore(
            p_human=float(1.0 - route_p[self.route.neutral]),
            p_charged=float(1.0 - charged_p[self.charged.neutral]),
            route_label=self.route.labels[route_top],
            charged_label=self.charged.labels[charged_top],
            route_terms=self._terms(self.route, route_top, idx, values),
            charged_terms=self._terms(self.charged, charged_top, idx, values),
        )

    def _terms(self, head: _Head, label: int, idx: np.ndarray, values: np.ndarray,
               limit: int = 3) -> tuple[str, ...]:
        """Words (not character n-grams, which read as noise) that raised `label` most over
        the neutral label."""
        words = self.featurizer.is_word[idx]
        idx, values = idx[words], values[words]
        pull = (head.coef[label, idx].astype(np.float64)
                - head.coef[head.neutral, idx].astype(np.float64)) * values
        order = np.argsort(-pull, kind="stable")[:limit]
        vocabulary = self.featurizer.vocabulary
        return tuple(vocabulary[idx[i]].removeprefix(WORD) for i in order if pull[i] > 0)


@lru_cache(maxsize=4)
def _load_cached(model_dir: Path) -> TriageClassifier:
    try:
        meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
        with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError) as exc:
        raise TriageModelError(
            f"cannot read the triage model in {model_dir}: {exc}; "
            "rebuild it with `python -m evals.routing.train`") from exc
    return TriageClassifier.from_arrays(arrays, meta)
