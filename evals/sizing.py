"""Sizing evaluation (`tandem eval sizing`): how often the size advisor names the size that
fit, against the naive baseline (the customer's most common size), on fit feedback split
into train/test; and, with `--moves`, whether a size move advised from what a customer
said about a size they had ("it was small") points the right way (`evaluate_moves`).

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

from agent.commerce.sizing import (
    FitKnowledge,
    FitRecord,
    Reported,
    Shopper,
    advise,
    order_run,
    size_rank,
    step,
)

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


@dataclass(frozen=True)
class MoveScore:
    """Share of pairs whose advised move (up, none, down) was the right way."""

    n: int
    advisor: float
    same_size_again: float
    """The baseline: advise the size they said did not fit."""
    one_step: float
    """A size up after "small", down after "large", ignoring everything else known."""


@dataclass(frozen=True)
class MovesEval:
    same_item: MoveScore
    """The report and the later rental are the same item (what a shopper asking about the
    product they have is doing)."""
    other_item: MoveScore
    """A report on one item, advice for the next item rented."""
    other_item_with_history: MoveScore
    """Of those, customers with fit feedback in train (a signed-in shopper)."""
    other_item_without_history: MoveScore
    """The rest: all the advisor knows of the customer is the report (anonymous)."""


def _right_way(report: FitRecord, later: FitRecord) -> int | None:
    """Which way from the reported size the later rental says they needed: +1, 0, -1; None
    when it cannot tell (a later "small" at a size below the one reported small)."""
    said, then = size_rank(report.size) or 0.0, size_rank(later.size) or 0.0
    if later.fit == "fit":
        return (then > said) - (then < said)
    if later.fit == "small" and then >= said:
        return 1
    if later.fit == "large" and then <= said:
        return -1
    return None


def evaluate_moves(train: list[FitRecord], test: list[FitRecord]) -> MovesEval:
    """Pairs: a rental, and the same customer's latest earlier rental reported "small" or
    "large" (earlier in file order: `split_by_time` writes both files in date order).  The
    advisor learns only from `train` and is told the report as a shopper would say it
    ("the 8 was too small"), for the later rental's item; the right way is what the later
    rental showed they needed.  Pairs on another item take the later rental from `test`
    only (the advisor uses what train says of both items and of the customer); pairs on
    the same item come from both files, since a move on the same item uses only the
    report, the item's sizes and how the item runs (from train), and the same item is
    rarely rented twice within the test period."""
    knowledge = FitKnowledge.from_records(train)
    store_run = order_run(Counter(r.size for r in train))
    latest_report: dict[str, FitRecord] = {}
    tallies: dict[str, Counter[str]] = {
        k: Counter() for k in ("same", "other", "history", "no_history")}
    in_test = len(train)
    for index, later in enumerate([*train, *test]):
        report = latest_report.get(later.customer_id)
        if later.fit != "fit":
            latest_report[later.customer_id] = later
        if report is None or (right := _right_way(report, later)) is None:
            continue
        if report.item_id != later.item_id and index < in_test:
            continue
        item_run = knowledge.item_runs.get(later.item_id, [])
        run = item_run if len(item_run) >= MIN_RUN else store_run
        same = report.item_id == later.item_id
        told = Reported(size=report.size, fit=report.fit, phrase=f"was too {report.fit}",
                        item_id=None if same else report.item_id)
        advice = advise(run=run, item_id=later.item_id, knowledge=knowledge,
                        shopper=Shopper(reported=told, customer_id=later.customer_id))
        said = size_rank(report.size) or 0.0
        moves = {
            "advisor": advice.size if advice and not advice.end_of_run else report.size,
            "same_size_again": report.size,
            "one_step": step(run, report.size, 1 if report.fit == "small" else -1),
        }
        groups = ["same"] if same else ["other", "history" if knowledge.by_customer.get(
            later.customer_id) else "no_history"]
        for group in groups:
            tallies[group]["n"] += 1
            for name, size in moves.items():
                rank = size_rank(size) or 0.0
                tallies[group][name] += ((rank > said) - (rank < said)) == right

    def score(group: str) -> MoveScore:
        t = tallies[group]
        n = t["n"]
        return MoveScore(n, *(round(t[k] / n, 4) if n else 0.0
                              for k in ("advisor", "same_size_again", "one_step")))
    return MovesEval(score("same"), score("other"), score("history"), score("no_history"))
