"""The trained triage model: how likely a message needs a person, and how charged it is.

Two small multinomial logistic regressions over the same feature row
(`agent.triage.features`: the e5 meaning of the message, its VADER tone and its shape):

- the *route* head: `assistant` or one of the topics a person handles (`refund`,
  `complaint`, `contact`, `payment`, `cancel`), learnt from Bitext, tau-bench's shopper
  tasks and CLINC150's calm questions;
- the *charged* head: `calm`, `anger` (anger, annoyance, disgust, disappointment,
  disapproval) or `distress` (sadness, grief, fear, nervousness, remorse, embarrassment),
  learnt from GoEmotions against shopper and off-topic questions.

Each label also keeps a few *exemplars*, training messages that stand for it; the closest
one to the message is quoted in the verdict's reasons ("close to 'can I talk to someone'"),
since a vector has no words to point at.

The model ships in `agent/triage/model/` (built by `python -m evals.routing.train`) and is
loaded once per process.  Scoring is numpy only (no scikit-learn, no LLM); the embedding is
the one product search makes for the same message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from agent.triage.features import TONE_NAMES, meaning, tone

MODEL_DIR = Path(__file__).resolve().parent / "model"
WEIGHTS_FILE = "triage.npz"
META_FILE = "meta.json"
MODEL_FORMAT = 2
ROUTE_NEUTRAL = "assistant"
CHARGED_NEUTRAL = "calm"

Embedder = Callable[[str], np.ndarray]


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
    route_evidence: tuple[str, ...]
    """Why, for the verdict's reasons: the closest exemplar of `route_label`."""
    charged_evidence: tuple[str, ...]
    """The closest exemplar of `charged_label` and the message's VADER tone."""

    @property
    def label(self) -> str:
        """The label of whichever head is more confident."""
        return self.route_label if self.p_human >= self.p_charged else self.charged_label


@dataclass(frozen=True)
class Head:
    labels: tuple[str, ...]
    coef: np.ndarray  # (labels, features), on standardised features
    intercept: np.ndarray
    neutral: int

    def probabilities(self, row: np.ndarray) -> np.ndarray:
        logits = self.coef @ row + self.intercept
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def top(self, probs: np.ndarray) -> int:
        others = probs.copy()
        others[self.neutral] = -1.0
        return int(np.argmax(others))


@dataclass(frozen=True)
class Exemplars:
    """A few training messages per label and their e5 vectors."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    vectors: np.ndarray  # (exemplars, 384), L2-normalised

    def closest(self, vector: np.ndarray, label: str) -> str | None:
        rows = [i for i, lab in enumerate(self.labels) if lab == label]
        if not rows:
            return None
        sims = self.vectors[rows].astype(np.float64) @ vector
        return self.texts[rows[int(np.argmax(sims))]]


class TriageClassifier:
    """Scores a shopper message with both heads; `load()` reads the shipped model once."""

    def __init__(self, route: Head, charged: Head, mean: np.ndarray, scale: np.ndarray,
                 exemplars: Exemplars, meta: dict[str, object],
                 embed: Embedder = meaning) -> None:
        self.route = route
        self.charged = charged
        self.mean = mean
        self.scale = scale
        self.exemplars = exemplars
        self.meta = meta
        self.embed = embed

    @classmethod
    def load(cls, model_dir: Path = MODEL_DIR) -> TriageClassifier:
        return _load_cached(model_dir.resolve())

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict[str, object],
                    embed: Embedder = meaning) -> TriageClassifier:
        if meta.get("format") != MODEL_FORMAT:
            raise TriageModelError(f"model format {meta.get('format')!r}, expected "
                                   f"{MODEL_FORMAT}")
        if tuple(meta.get("tone_features", ())) != TONE_NAMES:  # type: ignore[arg-type]
            raise TriageModelError("the model was trained on other tone features")
        heads = {}
        for name, neutral in (("route", ROUTE_NEUTRAL), ("charged", CHARGED_NEUTRAL)):
            labels = tuple(str(x) for x in meta[f"{name}_labels"])  # type: ignore[attr-defined]
            heads[name] = Head(labels=labels, coef=arrays[f"{name}_coef"].astype(np.float64),
                               intercept=arrays[f"{name}_intercept"].astype(np.float64),
                               neutral=labels.index(neutral))
        exemplars = Exemplars(
            texts=tuple(bytes(arrays["exemplar_texts"]).decode("utf-8").split("\n")),
            labels=tuple(str(x) for x in meta["exemplar_labels"]),  # type: ignore[attr-defined]
            vectors=arrays["exemplar_vectors"].astype(np.float64))
        return cls(heads["route"], heads["charged"], arrays["mean"].astype(np.float64),
                   arrays["scale"].astype(np.float64), exemplars, meta, embed)

    def with_embedder(self, embed: Embedder) -> TriageClassifier:
        """The same model reading vectors from elsewhere (validation's precomputed ones)."""
        return TriageClassifier(self.route, self.charged, self.mean, self.scale,
                                self.exemplars, self.meta, embed)

    def score(self, text: str) -> TriageScore:
        vector = np.asarray(self.embed(text), dtype=np.float64)
        tone_row = tone(text)
        row = (np.concatenate([vector, tone_row]) - self.mean) / self.scale
        route_p = self.route.probabilities(row)
        charged_p = self.charged.probabilities(row)
        route_label = self.route.labels[self.route.top(route_p)]
        charged_label = self.charged.labels[self.charged.top(charged_p)]
        return TriageScore(
            p_human=float(1.0 - route_p[self.route.neutral]),
            p_charged=float(1.0 - charged_p[self.charged.neutral]),
            route_label=route_label,
            charged_label=charged_label,
            route_evidence=self._evidence(vector, route_label),
            charged_evidence=(*self._evidence(vector, charged_label),
                              f"VADER {tone_row[TONE_NAMES.index('vader_compound')]:+.2f}"),
        )

    def _evidence(self, vector: np.ndarray, label: str) -> tuple[str, ...]:
        closest = self.exemplars.closest(vector, label)
        return (f"close to {_without_identifiers(closest)!r}",) if closest else ()


# Order numbers and email addresses of training messages: the reasons reach a handoff's
# summary, where "#W7613749" would read as an order of this shopper's.
_IDENTIFIER = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|#?\b[A-Za-z]{0,3}\d{4,}\b")


def _without_identifiers(text: str) -> str:
    return _IDENTIFIER.sub("…", text)


@lru_cache(maxsize=4)
def _load_cached(model_dir: Path) -> TriageClassifier:
    try:
        meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
        with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        return TriageClassifier.from_arrays(arrays, meta)
    except (OSError, ValueError, KeyError) as exc:
        raise TriageModelError(
            f"cannot read the triage model in {model_dir}: {exc}; "
            "rebuild it with `python -m evals.routing.train`") from exc
