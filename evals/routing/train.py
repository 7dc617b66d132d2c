"""Rebuild the shipped triage model from `../shared/data`.

    python -m evals.routing.train [--data ../shared/data] [--out agent/triage/model]

Deterministic: hash-based splits (`evals.routing.datasets`), a sorted vocabulary and the
lbfgs solver with a fixed seed give the same files for the same data.  Writes
`triage.npz` (vocabulary, idf, coefficients as float16) and `meta.json` (labels, data
counts, and precision/recall on the calibration split at several thresholds, from which
the thresholds in `policies/escalation.yaml` were chosen).  Needs scikit-learn and scipy;
serving needs only numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from agent.triage.classifier import META_FILE, MODEL_DIR, WEIGHTS_FILE, TriageClassifier
from agent.triage.features import Featurizer, build_vocabulary
from evals.routing.datasets import Example, load_all

SEED = 13
MIN_DF = 3
MAX_WORDS = 12_000
MAX_CHARS = 24_000
# Inverse regularisation per head, chosen on the calibration split: the charged head
# generalises better with a stronger prior (GoEmotions labels are noisy).
C_ROUTE = 4.0
C_CHARGED = 1.0
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _fit(x: object, labels: list[str], weights: np.ndarray, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=2000, random_state=SEED)
    model.fit(x, labels, sample_weight=weights)
    return model


def _source_weights(examples: list[Example]) -> np.ndarray:
    """Each source weighs the same in total, so 40k Reddit comments do not drown 6k
    shopper utterances."""
    counts = Counter(e.source for e in examples)
    per_source = len(examples) / len(counts)
    return np.array([per_source / counts[e.source] for e in examples])


def _calibration_table(model: TriageClassifier, examples: list[Example]) -> dict[str, object]:
    """Precision and recall of each head, per source, at each threshold."""
    scores = [model.score(e.text) for e in examples]
    table: dict[str, object] = {}
    for head, truth in (("route", [e.route_label != "assistant" for e in examples]),
                        ("charged", [e.charged_label != "calm" for e in examples])):
        probs = np.array([s.p_human if head == "route" else s.p_charged for s in scores])
        rows = {}
        for source in sorted({e.source for e in examples}):
            mask = np.array([e.source == source for e in examples])
            gold = np.array(truth)[mask]
            rows[source] = {
                str(t): _pr(gold, probs[mask] >= t) for t in THRESHOLDS
            }
        table[head] = rows
    return table


def _pr(gold: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    tp = int(np.sum(gold & predicted))
    return {
        "precision": round(tp / int(predicted.sum()), 4) if predicted.any() else None,
        "recall": round(tp / int(gold.sum()), 4) if gold.any() else None,
        "flagged": round(float(predicted.mean()), 4),
    }


def train(data_root: Path, out_dir: Path, extra: Sequence[Example] = ()) -> dict[str, object]:
    """Train on the shipped sets' train split plus `extra` (agents' verdicts, from
    `tandem retrain`), write the model to `out_dir`, return its meta."""
    splits = load_all(data_root)
    train_set = splits["train"] + list(extra)
    vocabulary, idf = build_vocabulary((e.text for e in train_set), min_df=MIN_DF,
                                       max_words=MAX_WORDS, max_chars=MAX_CHARS)
    featurizer = Featurizer(vocabulary, idf)
    x = featurizer.transform(e.text for e in train_set)

    route = _fit(x, [e.route_label for e in train_set], _source_weights(train_set), C_ROUTE)
    # The charged head learns anger and distress from GoEmotions and what calm looks like
    # from shopper and off-topic questions; Bitext's person-topics (complaints, refunds)
    # are left out so "I want to complain" is not taught as calm.
    keep = [i for i, e in enumerate(train_set)
            if e.source != "bitext" or e.route_label == "assistant"]
    charged_set = [train_set[i] for i in keep]
    charged = _fit(x[keep], [e.charged_label for e in charged_set],
                   _source_weights(charged_set), C_CHARGED)

    arrays = {
        "vocabulary": np.frombuffer("\n".join(vocabulary).encode("utf-8"), dtype=np.uint8),
        "idf": idf.astype(np.float32),
        "route_coef": route.coef_.astype(np.float16),
        "route_intercept": route.intercept_.astype(np.float32),
        "charged_coef": charged.coef_.astype(np.float16),
        "charged_intercept": charged.intercept_.astype(np.float32),
    }
    meta: dict[str, object] = {
        "format": 1,
        "route_labels": [str(c) for c in route.classes_],
        "charged_labels": [str(c) for c in charged.classes_],
        "features": {"words": "unigrams+bigrams", "chars": "3-5 within words",
                     "min_df": MIN_DF, "max_words": MAX_WORDS, "max_chars": MAX_CHARS,
                     "vocabulary": len(vocabulary)},
        "training": {"seed": SEED, "C": {"route": C_ROUTE, "charged": C_CHARGED}, "solver": "lbfgs",
                     "examples": {split: dict(Counter(e.source for e in rows))
                                  for split, rows in splits.items()}},
    }
    model = TriageClassifier.from_arrays(arrays, meta)
    _check_parity(model, route, featurizer, splits["calibration"][:300])
    meta["calibration"] = _calibration_table(model, splits["calibration"])

    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / WEIGHTS_FILE
    _write_npz(weights_path, arrays)
    meta["sha256"] = hashlib.sha256(weights_path.read_bytes()).hexdigest()
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n",
                                     encoding="utf-8")
    return meta


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like `np.savez_compressed`, with fixed timestamps so a rebuild gives the same bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as handle:
                np.lib.format.write_array(handle, array, allow_pickle=False)


def _check_parity(model: TriageClassifier, route: LogisticRegression, featurizer: Featurizer,
                  sample: list[Example]) -> None:
    """The numpy scorer must agree with scikit-learn (up to float16 rounding)."""
    expected = 1.0 - route.predict_proba(featurizer.transform(e.text for e in sample))[
        :, list(route.classes_).index("assistant")]
    got = np.array([model.score(e.text).p_human for e in sample])
    worst = float(np.max(np.abs(expected - got)))
    if worst > 0.02:
        raise SystemExit(f"scorer disagrees with scikit-learn by {worst:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args()
    if not (args.data / "bitext").is_dir():
        raise SystemExit(f"{args.data}: no bitext/ folder; pass --data PATH/TO/shared/data")
    started = time.perf_counter()
    meta = train(args.data, args.out)
    size = (args.out / WEIGHTS_FILE).stat().st_size
    seconds = time.perf_counter() - started
    print(f"wrote {args.out / WEIGHTS_FILE} ({size / 1e6:.2f} MB) in {seconds:.0f} s")
    print(json.dumps(meta["calibration"], indent=1))


if __name__ == "__main__":
    main()
