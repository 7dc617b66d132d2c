"""Labelled messages from `../shared/data` for training and measuring the triage model.

Only training, validation and the dev-set builder read these; the product never does.
Every example carries its *family*: the rows that must land on the same side of any split
(a Bitext template family, `evals.routing.templates`; a tau-bench task; otherwise the
normalised text).  Splits go by family, so a dev message shares no template with the
messages its model was fitted on:

- Bitext: families split 20% dev, 10% calibration (thresholds), 70% train of each
  intent's rows (`family_splits`).
- GoEmotions: `dev.tsv` is dev; `train.tsv` is 10% calibration, 90% train.
- CLINC150: `val` + `oos_val` dev; `train` + `oos_train` 10% calibration, 90% train.
- tau-bench retail: `tasks_dev` dev; `tasks_train` 10% calibration, 90% train.

GoEmotions and CLINC150 are capped per split (`CAPS`, hash-chosen).

Labels (../shared/data/README.md): Bitext intents by `BITEXT_HUMAN`; GoEmotions emotions
by `ANGER` / `DISTRESS`; CLINC150 calm and `assistant`, except the two intents a shop
hands to a person as payment problems (`CLINC_HUMAN`: "my card got declined", "I think
there's fraud on my account"); tau-bench by the task's actions (`evals.routing.tau_tasks`).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from evals.routing.tau_tasks import tau_messages
from evals.routing.templates import families

Split = Literal["train", "calibration", "dev"]
Route = Literal["human", "assistant"]
Source = Literal["bitext", "goemotions", "clinc150", "tau", "verdict"]
"""`verdict`: an agent's verdict on a resolved handoff (`tandem retrain`)."""
SOURCES: tuple[Source, ...] = ("bitext", "goemotions", "clinc150", "tau")
# Examples kept per (source, split), hash-chosen: CLINC150 (18k) has more calm questions
# than the heads need.  `caps=None` keeps everything.  GoEmotions is kept whole: its noisy
# labels gain from volume (charged dev recall 0.751 -> 0.768 at precision 0.527 -> 0.535
# from 5,000 training comments to 20,000; 2026-12-07, from 20,000 to all of them, 0.876 ->
# 0.883 at 0.471 -> 0.473 at the policy's threshold); the route head reads the first 5,000
# of them (`heads.HeadSettings.route_cap`).  Embedding the ~62,000 messages kept takes
# about 15 minutes on two cores (AVX-512), once: the vectors are cached.
CAPS: dict[tuple[str, str], int] = {
    ("clinc150", "train"): 3_000, ("clinc150", "calibration"): 500, ("clinc150", "dev"): 1_000,
}

# Bitext intents that go to a person (see ../shared/data/README.md), by route-head label.
BITEXT_HUMAN = {
    "get_refund": "refund", "track_refund": "refund", "complaint": "complaint",
    "contact_human_agent": "contact", "contact_customer_service": "contact",
    "payment_issue": "payment", "cancel_order": "cancel",
}
# CLINC150 intents that are payment problems at a shop's till as much as at a bank's.
CLINC_HUMAN = {"card_declined": "payment", "report_fraud": "payment"}
# GoEmotions labels that make a message "emotionally charged", by charged-head label.
ANGER = frozenset({"anger", "annoyance", "disgust", "disappointment", "disapproval"})
DISTRESS = frozenset({"sadness", "grief", "fear", "nervousness", "remorse", "embarrassment"})


@dataclass(frozen=True)
class Example:
    text: str
    source: Source
    route_label: str
    """`assistant` or the person-topic of the route head."""
    charged_label: str
    """`calm`, `anger` or `distress`."""
    family: str = ""
    """Rows that must stay on one side of a split (see the module docstring)."""
    intent: str = ""
    """The source's own label (Bitext or CLINC150 intent, GoEmotions emotions)."""

    @property
    def route(self) -> Route:
        human = self.route_label != "assistant" or self.charged_label != "calm"
        return "human" if human else "assistant"


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def bucket(key: str) -> int:
    """A stable 0-99 bucket of a family key."""
    digest = hashlib.sha1(normalised(key).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100


def _split(family: str) -> Split:
    """Calibration or train for a source whose dev split is a file of its own."""
    return "calibration" if 20 <= bucket(family) < 30 else "train"


def family_splits(rows: Sequence[tuple[str, str]], row_families: Sequence[str]
                  ) -> dict[str, Split]:
    """Each family's split, stratified by intent: an intent's families are laid end to end
    in hash order over its rows, and a family goes where its middle falls (the first 20%
    of rows dev, the next 10% calibration, the rest train).  So an intent of several
    families has some on each side, and an intent of one family is all train."""
    sizes: dict[str, Counter[str]] = defaultdict(Counter)
    for (intent, _), family in zip(rows, row_families, strict=True):
        sizes[intent][family] += 1
    out: dict[str, Split] = {}
    for by_family in sizes.values():
        total, start = sum(by_family.values()), 0
        for family in sorted(by_family, key=lambda f: (bucket(f), f)):
            middle = (start + by_family[family] / 2) / total
            out[family] = "dev" if middle < 0.2 else "calibration" if middle < 0.3 else "train"
            start += by_family[family]
    return out


def bitext(root: Path) -> Iterator[tuple[Split, Example]]:
    path = root / "bitext" / "bitext_cs_training_8175.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [(row["intent"], row["utterance"].strip()) for row in csv.DictReader(handle)]
    row_families = families(rows)
    split_of = family_splits(rows, row_families)
    for (intent, text), family in zip(rows, row_families, strict=True):
        label = BITEXT_HUMAN.get(intent, "assistant")
        yield (split_of[family],
               Example(text, "bitext", label, "calm", family=f"bitext:{family}", intent=intent))


def goemotions(root: Path) -> Iterator[tuple[Split, Example]]:
    folder = root / "goemotions"
    names = folder.joinpath("labels.txt").read_text(encoding="utf-8").split()
    for file_name in ("train.tsv", "dev.tsv"):
        with folder.joinpath(file_name).open(encoding="utf-8", newline="") as handle:
            for text, labels, *_ in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                emotions = sorted({names[int(i)] for i in labels.split(",")})
                charged = ("anger" if set(emotions) & ANGER else
                           "distress" if set(emotions) & DISTRESS else "calm")
                family = f"goemotions:{normalised(text)}"
                split: Split = ("dev" if file_name == "dev.tsv"
                                else _split(family))
                yield split, Example(text.strip(), "goemotions", "assistant", charged,
                                     family=family, intent=",".join(emotions))


def clinc150(root: Path) -> Iterator[tuple[Split, Example]]:
    data = json.loads((root / "clinc150" / "data_train_val.json").read_text(encoding="utf-8"))
    for part, rows in data.items():
        for text, intent in rows:
            family = f"clinc150:{normalised(text)}"
            split: Split = ("dev" if part in ("val", "oos_val")
                            else _split(family))
            yield split, Example(text.strip(), "clinc150", CLINC_HUMAN.get(intent, "assistant"),
                                 "calm", family=family, intent=intent)


def tau(root: Path) -> Iterator[tuple[Split, Example]]:
    for part in ("train", "dev"):
        for message in tau_messages(root / "tau-retail", part):
            family = f"tau:{message.task}"
            split: Split = "dev" if part == "dev" else _split(family)
            yield split, Example(message.text, "tau", message.route_label, "calm",
                                 family=family, intent=message.route_label)


def load_all(root: Path, *, caps: dict[tuple[str, str], int] | None = None
             ) -> dict[Split, list[Example]]:
    """Every example of the four sources by split, in file order (deterministic), at most
    `caps[(source, split)]` of each (default `CAPS`; `{}` keeps everything)."""
    caps = CAPS if caps is None else caps
    out: dict[Split, list[Example]] = {"train": [], "calibration": [], "dev": []}
    seen: set[str] = set()
    for reader in (bitext, goemotions, clinc150, tau):
        for split, example in reader(root):
            key = normalised(example.text)
            if not key or key in seen:
                continue  # exact repeats are kept once, in the first split they appear in
            seen.add(key)
            out[split].append(example)
    for split, rows in out.items():
        out[split] = capped(rows, {s: n for (s, sp), n in caps.items() if sp == split})
    return out


def capped(examples: list[Example], caps: dict[str, int]) -> list[Example]:
    """At most `caps[source]` examples of each source, chosen by a hash of the text, kept
    in their order."""
    chosen: set[int] = set()
    for source in SOURCES:
        mine = [i for i, e in enumerate(examples) if e.source == source]
        if source in caps:
            mine.sort(key=lambda i: (sample_order(examples[i].text), i))
            mine = mine[:caps[source]]
        chosen.update(mine)
    return [e for i, e in enumerate(examples) if i in chosen]


def sample_order(text: str) -> int:
    """Where a message comes in the hash order that caps follow (not the split's hash)."""
    return bucket(text + "#")
