"""Sizing evaluation (`tandem eval sizing`): how often the size advisor names the size that
fit, against the naive baseline (the customer's most common size), on fit feedback split
into train/test.

Ground truth: test records with fit == "fit" (the size they rented is the size that fit).
The advisor sees only the train records (the customer's own history, each item's feedback,
what fit shoppers of the same build) and the test shopper's stated measurements.  The
baseline is the customer's most common size in train; for a customer with no history it
falls back to the most common size overall, and so does the advisor when it has nothing
to go on, so both answer every test record and `n` counts them all.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from agent.commerce.sizing import FitKnowledge, FitRecord, Shopper, advise, order_run

TRAIN_SHARE = 0.8
# An item's run is the sizes its renters took in train; with fewer than this many seen,
# the whole store's run stands in (the catalogue would know the real run).
MIN_RUN = 3


@dataclass(frozen=True)
class SizingEval:
    advisor_accuracy: float
    baseline_accuracy: float
    n: int
    n_with_history: int
    advisor_accuracy_with_history: float
    baseline_accuracy_with_history: float


def split_by_time(source: Path, train: Path, test: Path, *, share: float = TRAIN_SHARE
                  ) -> tuple[int, int]:
    """Write the earliest `share` of `source` (by review date, then customer and item, so
    the split is deterministic) to `train` and the rest to `test`, same columns."""
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    date = next((h for h in header if h.lower() in ("review_date", "date")), None)
    rows.sort(key=lambda r: (r.get(date or "", ""), r.get("user_id") or r.get("customer_id", ""),
                             r.get("item_id", "")))
    cut = int(len(rows) * share)
    for path, part in ((train, rows[:cut]), (test, rows[cut:])):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(part)
    return cut, len(rows) - cut


def evaluate_sizing(train: list[FitRecord], test: list[FitRecord]) -> SizingEval:
    knowledge = FitKnowledge.from_records(train)
    overall = Counter(r.size for r in train)
    most_common = max(overall, key=lambda s: (overall[s], s)) if overall else ""
    store_run = order_run(overall)
    hits = Counter[str]()
    n = n_hist = 0
    for record in (r for r in test if r.fit == "fit"):
        history = knowledge.by_customer.get(record.customer_id, [])
        counts = Counter(r.size for r in history)
        baseline = max(counts, key=lambda s: (counts[s], s)) if counts else most_common
        run = knowledge.item_runs.get(record.item_id, [])
        measures = {k: v for k, v in (("height_in", record.height_in),
                                      ("weight_lbs", record.weight_lbs),
                                      ("bust", record.bust_in)) if v}
        advice = advise(run=run if len(run) >= MIN_RUN else store_run, item_id=record.item_id,
                        shopper=Shopper(customer_id=record.customer_id, measures=measures),
                        knowledge=knowledge)
        advised = advice.size if advice else most_common
        n += 1
        hits["advisor"] += advised == record.size
        hits["baseline"] += baseline == record.size
        if history:
            n_hist += 1
            hits["advisor_hist"] += advised == record.size
            hits["baseline_hist"] += baseline == record.size

    def share(key: str, total: int) -> float:
        return round(hits[key] / total, 4) if total else 0.0
    return SizingEval(share("advisor", n), share("baseline", n), n, n_hist,
                      share("advisor_hist", n_hist), share("baseline_hist", n_hist))
