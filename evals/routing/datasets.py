"""Labelled messages from `../shared/data` for training and measuring the triage model.

Only the training script and the dev-set builder read these; the product never does.
Splits are by a hash of the normalised text, so the same message always lands in the same
split (Bitext repeats templates) and the dev set never overlaps what the model saw:

- Bitext (one file): 20% dev, 10% calibration (thresholds), 70% train.
- GoEmotions: `dev.tsv` is dev; `train.tsv` is 10% calibration, 90% train.
- CLINC150 (off-topic, calm, assistant questions): `val` + `oos_val` dev; `train` +
  `oos_train` split 10% calibration, 90% train.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Split = Literal["train", "calibration", "dev"]
Route = Literal["human", "assistant"]

# Bitext intents that go to a person (see ../shared/data/README.md), by route-head label.
BITEXT_HUMAN = {
    "get_refund": "refund", "track_refund": "refund", "complaint": "complaint",
    "contact_human_agent": "contact", "contact_customer_service": "contact",
    "payment_issue": "payment", "cancel_order": "cancel",
}
# GoEmotions labels that make a message "emotionally charged", by charged-head label.
ANGER = frozenset({"anger", "annoyance", "disgust", "disappointment", "disapproval"})
DISTRESS = frozenset({"sadness", "grief", "fear", "nervousness", "remorse", "embarrassment"})


@dataclass(frozen=True)
class Example:
    text: str
    source: Literal["bitext", "goemotions", "clinc150", "verdict"]
    """`verdict`: an agent's verdict on a resolved handoff (`tandem retrain`)."""
    route_label: str
    """`assistant` or the person-topic of the route head."""
    charged_label: str
    """`calm`, `anger` or `distress`."""

    @property
    def route(self) -> Route:
        human = self.route_label != "assistant" or self.charged_label != "calm"
        return "human" if human else "assistant"


def bucket(text: str) -> int:
    """A stable 0-99 bucket of the normalised text."""
    digest = hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100


def _split(text: str, *, has_dev_file: bool) -> Split:
    b = bucket(text)
    if not has_dev_file and b < 20:
        return "dev"
    return "calibration" if 20 <= b < 30 else "train"


def bitext(root: Path) -> Iterator[tuple[Split, Example]]:
    path = root / "bitext" / "bitext_cs_training_8175.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            text = row["utterance"].strip()
            label = BITEXT_HUMAN.get(row["intent"], "assistant")
            yield _split(text, has_dev_file=False), Example(text, "bitext", label, "calm")


def goemotions(root: Path) -> Iterator[tuple[Split, Example]]:
    folder = root / "goemotions"
    names = folder.joinpath("labels.txt").read_text(encoding="utf-8").split()
    for file_name in ("train.tsv", "dev.tsv"):
        with folder.joinpath(file_name).open(encoding="utf-8", newline="") as handle:
            for text, labels, *_ in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                emotions = {names[int(i)] for i in labels.split(",")}
                charged = ("anger" if emotions & ANGER else
                           "distress" if emotions & DISTRESS else "calm")
                split: Split = ("dev" if file_name == "dev.tsv"
                                else _split(text, has_dev_file=True))
                yield split, Example(text.strip(), "goemotions", "assistant", charged)


def clinc150(root: Path) -> Iterator[tuple[Split, Example]]:
    data = json.loads((root / "clinc150" / "data_train_val.json").read_text(encoding="utf-8"))
    for part, rows in data.items():
        for text, _intent in rows:
            split: Split = ("dev" if part in ("val", "oos_val")
                            else _split(text, has_dev_file=True))
            yield split, Example(text.strip(), "clinc150", "assistant", "calm")


def load_all(root: Path) -> dict[Split, list[Example]]:
    """Every example of the three sets by split, in file order (deterministic)."""
    out: dict[Split, list[Example]] = {"train": [], "calibration": [], "dev": []}
    seen: set[str] = set()
    for reader in (bitext, goemotions, clinc150):
        for split, example in reader(root):
            key = " ".join(example.text.lower().split())
            if not key or key in seen:
                continue  # exact repeats are kept once, in the first split they appear in
            seen.add(key)
            out[split].append(example)
    return out
