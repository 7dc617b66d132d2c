"""The previous triage classifier (TF-IDF words and character n-grams, logistic regression),
kept as the baseline that `bench/route_decision.py` and `evals.routing.validate` compare
the shipped model against in the same run.

Its model files are in `bench/baselines/triage_tfidf/` as they shipped before issue 15
(trained on a row-hash split of Bitext, GoEmotions and CLINC150); the code below is its
scorer, unchanged in arithmetic.  It returns the shipped model's `TriageScore`, so the same
`EscalationPolicy.decide_scored` turns it into a verdict with its own thresholds
(`human_threshold` 0.5, `charged_threshold` 0.3, as the policy file had them).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np

from agent.escalation import EscalationPolicy
from agent.triage import TriageScore

MODEL_DIR = Path(__file__).resolve().parent / "baselines" / "triage_tfidf"
THRESHOLDS = {"human_threshold": 0.5, "charged_threshold": 0.3}
WORD, CHAR = "w:", "c:"
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def _grams(text: str) -> Counter[str]:
    words = _TOKEN.findall(text.translate(_QUOTES).lower())
    counts: Counter[str] = Counter(WORD + w for w in words)
    counts.update(f"{WORD}{a} {b}" for a, b in pairwise(words))
    for word in words:
        padded = f" {word} "
        for size in (3, 4, 5):
            if len(padded) < size:
                break
            counts.update(CHAR + padded[i:i + size] for i in range(len(padded) - size + 1))
    return counts


class TfidfTriage:
    """Scores a message as the pre-issue-15 model did."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
        with np.load(model_dir / "triage.npz", allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        vocabulary = bytes(arrays["vocabulary"]).decode("utf-8").split("\n")
        self.index = {g: i for i, g in enumerate(vocabulary)}
        self.idf = arrays["idf"].astype(np.float64)
        self.is_word = np.array([g.startswith(WORD) for g in vocabulary], dtype=bool)
        self.heads = {}
        for name, neutral in (("route", "assistant"), ("charged", "calm")):
            labels = [str(x) for x in meta[f"{name}_labels"]]
            self.heads[name] = (labels, arrays[f"{name}_coef"],
                                arrays[f"{name}_intercept"].astype(np.float64),
                                labels.index(neutral))

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        found = [(self.index[g], c) for g, c in _grams(text).items() if g in self.index]
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.array([i for i, _ in found], dtype=np.int64)
        values = np.array([1.0 + math.log(c) for _, c in found]) * self.idf[idx]
        is_word = self.is_word[idx]
        for block in (is_word, ~is_word):
            norm = float(np.sqrt(np.sum(values[block] ** 2)))
            if norm > 0:
                values[block] /= norm
        return idx, values

    def score(self, text: str) -> TriageScore:
        idx, values = self._features(text)
        out = []
        for name in ("route", "charged"):
            labels, coef, intercept, neutral = self.heads[name]
            logits = coef[:, idx].astype(np.float64) @ values + intercept
            probs = np.exp(logits - logits.max())
            probs /= probs.sum()
            others = probs.copy()
            others[neutral] = -1.0
            out.append((float(1.0 - probs[neutral]), labels[int(np.argmax(others))]))
        (p_human, route_label), (p_charged, charged_label) = out
        return TriageScore(p_human, p_charged, route_label, charged_label, (), ())


def tfidf_policy(policy: EscalationPolicy) -> EscalationPolicy:
    """The same rules with the old model's thresholds (score with `TfidfTriage`)."""
    config = policy.classifier_config
    if config is None:
        raise ValueError("the policy has no classifier section")
    return replace(policy, classifier=None,
                   classifier_config=config.model_copy(update=THRESHOLDS))
