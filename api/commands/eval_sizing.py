"""`tandem eval sizing`: how often the size advisor names the size that fit, against the
naive baseline (the customer's most common size), on fit feedback split into train/test.

Ground truth: test records with fit == "fit" (the size they rented is the size that fit).
The advisor sees only the train records (the customer's own history, each item's feedback,
what fit shoppers of the same build) and the test shopper's stated measurements.  The
baseline is the customer's most common size in train; for a customer with no history it
falls back to the most common size overall, and so does the advisor when it has nothing
to go on, so both answer every test record and `n` counts them all.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import typer

from agent.commerce.fit_feedback import FitFileError, read_fit_csv
from agent.commerce.sizing import FitKnowledge, FitRecord, Shopper, advise, order_run
from api.cli import eval_app

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


@eval_app.command("sizing")
def eval_sizing(
    feedback: Annotated[Path, typer.Option(help="Train fit feedback CSV (what the advisor "
                                                "may learn from)")],
    test: Annotated[Path, typer.Option(help="Test fit feedback CSV (records that fit are "
                                            "the ground truth)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    split_from: Annotated[Path | None, typer.Option(
        help="First write FEEDBACK and TEST from this file, split by time "
             "(earliest 80% train), e.g. ../shared/data/renttherunway/rtr_fit_dev.csv")] = None,
) -> None:
    """Sizing accuracy of the advisor against the customer's-most-common-size baseline."""
    if split_from is not None:
        if not split_from.is_file():
            typer.echo(f"error: {split_from} not found", err=True)
            raise typer.Exit(code=2)
        n_train, n_test = split_by_time(split_from, feedback, test)
        if not as_json:
            typer.echo(f"split {split_from}: {n_train} train -> {feedback}, "
                       f"{n_test} test -> {test}")
    try:
        result = evaluate_sizing(read_fit_csv(feedback), read_fit_csv(test))
    except (FitFileError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if as_json:
        typer.echo(json.dumps(asdict(result)))
        return
    typer.echo(f"test records that fit: {result.n}")
    typer.echo(f"advisor accuracy:  {result.advisor_accuracy:.1%}")
    typer.echo(f"baseline accuracy: {result.baseline_accuracy:.1%} "
               "(customer's most common size in train)")
    typer.echo(f"with train history ({result.n_with_history}): advisor "
               f"{result.advisor_accuracy_with_history:.1%}, baseline "
               f"{result.baseline_accuracy_with_history:.1%}")
