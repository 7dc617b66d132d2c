"""`tandem retrain`: rebuild the escalation classifier from the shipped data plus the
agents' verdicts, and adopt it only if it is no worse on any guarded figure.

- Training data: the shipped sets' train split (`evals.routing.datasets`) plus the verdicts
  (`api.services.verdicts`): the message that set off a handoff, labelled `human` when it
  needed a person (with the current model's person-topic, or `contact`) or `assistant`.
  Verdicts in hash buckets below `HOLD_OUT` (20%) are held out, never trained on.
- Validation: the shipped dev split plus the held-out verdicts, the same rows for the
  current model and the candidate, each inside the same escalation policy (its patterns
  and thresholds), scored with `evals.routing.evaluation.evaluate`.
- Guarded figures: recall and precision of "needs a person", overall and per source
  (bitext, goemotions, clinc150, verdict). The candidate is adopted only if none is lower
  than the current model's by more than `tolerance` (default 0: no worse at all); a figure
  neither model has (no such rows) is not guarded.
- Adopting writes the model to `TANDEM_TRIAGE_MODEL_DIR`, which the server loads at start-up
  in place of the shipped one. Every run is recorded (`RetrainRun`), adopted or not, with
  its figures; the console's operations page shows the last one.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlmodel import Session

from agent.escalation import EscalationPolicy
from agent.triage.classifier import META_FILE, WEIGHTS_FILE, TriageClassifier
from api.models import RetrainRun
from api.services.verdicts import labelled_examples
from evals.routing.datasets import Example, bucket, load_all
from evals.routing.evaluation import LabelledMessage, evaluate
from evals.routing.train import train

HOLD_OUT = 20
"""Verdicts whose text hashes below this bucket (of 100) are validation, never training."""


@dataclass(frozen=True)
class RetrainOutcome:
    adopted: bool
    reason: str
    figures: dict[str, dict[str, float | None]]
    verdicts_trained: int
    verdicts_held_out: int
    model_dir: Path | None


def verdict_examples(session: Session, current: TriageClassifier) -> list[Example]:
    """The agents' routing verdicts as training examples."""
    examples = []
    for labelled in labelled_examples(session):
        if labelled.route is None:
            continue  # a flag judges an answer, not whether a person was needed
        label = "assistant"
        if labelled.route == "human":
            topic = current.score(labelled.text).route_label
            label = topic if topic != "assistant" else "contact"
        examples.append(Example(labelled.text, "verdict", label, "calm"))
    return examples


def figures(policy: EscalationPolicy, rows: list[LabelledMessage]) -> dict[str, float | None]:
    """The guarded figures of one classifier inside the policy."""
    report = evaluate(policy, rows)
    out: dict[str, float | None] = {"recall": report["recall"],
                                    "precision": report["precision"]}
    for source, scores in report.get("by_source", {}).items():
        out[f"recall[{source}]"] = scores["recall"]
        out[f"precision[{source}]"] = scores["precision"]
    return out


def guard(current: dict[str, float | None], candidate: dict[str, float | None],
          tolerance: float = 0.0) -> tuple[bool, str]:
    """Adopt only if no guarded figure got worse (beyond `tolerance`)."""
    worse = [f"{name} {current[name]:.4f} -> {candidate.get(name)}"
             for name in sorted(current) if current[name] is not None
             and (candidate.get(name) is None
                  or candidate[name] < current[name] - tolerance)]  # type: ignore[operator]
    if worse:
        return False, "kept the current model: worse on " + "; ".join(worse)
    better = [name for name in sorted(current) if current[name] is not None
              and candidate[name] > current[name]]  # type: ignore[operator]
    return True, ("adopted: no guarded figure worse; better on " + ", ".join(better)
                  if better else "adopted: every guarded figure the same")


def retrain(session: Session, *, data_root: Path, policy: EscalationPolicy,
            target_dir: Path, tolerance: float = 0.0) -> RetrainOutcome:
    """Train, compare on the same held-out rows, adopt or keep, and record the run."""
    if policy.classifier is None:
        raise ValueError("the escalation policy has no classifier to retrain "
                         "(classifier.enabled is false in escalation.yaml)")
    current = policy.classifier
    verdicts = verdict_examples(session, current)
    if not verdicts:
        # Training is deterministic: without new data the candidate is the current model.
        reason = "kept the current model: no agents' verdicts to learn from yet"
        session.add(RetrainRun(adopted=False, reason=reason, verdicts=0, figures={}))
        return RetrainOutcome(adopted=False, reason=reason, figures={}, verdicts_trained=0,
                              verdicts_held_out=0, model_dir=None)
    trained = [e for e in verdicts if bucket(e.text) >= HOLD_OUT]
    held_out = [e for e in verdicts if bucket(e.text) < HOLD_OUT]
    rows = [LabelledMessage(e.text, e.route, e.source)
            for e in load_all(data_root)["dev"] + held_out]
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder) / "model"
        train(data_root, built, extra=trained)
        candidate = TriageClassifier.from_arrays(*_read(built))
        now = figures(policy, rows)
        new = figures(replace(policy, classifier=candidate), rows)
        adopted, reason = guard(now, new, tolerance)
        if adopted:
            _install(built, target_dir)
    table = {name: {"current": now[name], "candidate": new.get(name)} for name in now}
    session.add(RetrainRun(adopted=adopted, reason=reason[:500], verdicts=len(verdicts),
                           figures=table, model_dir=str(target_dir) if adopted else None))
    return RetrainOutcome(adopted=adopted, reason=reason, figures=table,
                          verdicts_trained=len(trained), verdicts_held_out=len(held_out),
                          model_dir=target_dir if adopted else None)


def _read(model_dir: Path) -> tuple[dict[str, Any], dict[str, object]]:
    import json

    import numpy as np

    meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}, meta


def _install(built: Path, target_dir: Path) -> None:
    """Replace the adopted model whole: written beside it, then renamed into place."""
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = target_dir.with_name(target_dir.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(built, staging)
    old = target_dir.with_name(target_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target_dir.exists():
        target_dir.rename(old)
    staging.rename(target_dir)
    shutil.rmtree(old, ignore_errors=True)
