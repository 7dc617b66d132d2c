"""The size advisor: a size to buy, a confidence and a "because" line, from evidence.

Evidence, strongest first:
0. what the shopper says now about a size they have ("my 10s feel tight"): on this item,
   a move from that size, further when the item is known to run that way; on another item,
   their size estimated from it (less that item's own offset) and their history;
1. the shopper's own fit feedback on this very item ("you took an 8 and it was small");
2. a base size: the size they say they usually wear, else the size they usually keep
   (their fit feedback history), else their measurement read off the product's size chart,
   else what shoppers of the same body measurements wore when it fit (low confidence);
3. a shift from how this item fits: the size offset its buyers needed against their usual
   size (fit feedback from returns and reviews), else the chart's "runs small/large" note.

Sizes are ordered along their run (agent/commerce/size_runs.py); what fit feedback says is
learnt in agent/commerce/fit_knowledge.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from agent.commerce.fit_knowledge import Fit, FitKnowledge, FitRecord, as_fit
from agent.commerce.size_runs import (
    LETTER_RUN,
    has_half_sizes,
    move,
    nearest,
    order_run,
    same_system,
    size_rank,
    step,
)

__all__ = ["LETTER_RUN", "Confidence", "Fit", "FitKnowledge", "FitRecord", "Reported",
           "Shopper", "SizeAdvice", "advise", "as_fit", "order_run", "size_rank", "step"]

Confidence = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Reported:
    """A size the shopper has and how it fits them, as they said it just now."""

    size: str
    """In the product's own size system (agent/commerce/fit_report.py converts)."""
    fit: Fit
    strength: Literal["mild", "plain", "strong"] = "plain"
    """"strong" for "way too big": in a run of half sizes, a full size rather than half."""
    phrase: str = ""
    """How it fits, for the "because" line: "is too tight"."""
    item_id: str | None = None
    """The item it is about; None: the item the advice is for."""
    said_size: str | None = None
    """The size as the shopper said it when it was converted ("EU 42"), else None."""


@dataclass(frozen=True)
class Shopper:
    reported: Reported | None = None
    """What they say now about a size they have (this conversation, this turn)."""
    usual_size: str | None = None
    """The size they said they usually wear (this conversation)."""
    customer_id: str | None = None
    """Set only when their own fit feedback may be used (signed in, personalisation on)."""
    measures: dict[str, float] = field(default_factory=dict)
    """From `measurements.parse_body`: height_in, weight_lbs, chest/bust/waist in inches."""


@dataclass(frozen=True)
class SizeAdvice:
    size: str
    confidence: Confidence
    because: str
    basis: Literal["report", "own_feedback", "usual_size", "history", "chart", "body"]
    end_of_run: bool = False
    """The shopper needs a size beyond the largest (or smallest) one there is: `size` is
    that end of the run, not advice to buy it."""
    from_size: str | None = None
    """The shopper's size the advice starts from (the one they have or usually wear), for
    a "because" line in another language, which is built from these fields, not `because`."""
    runs: Fit | None = None
    """How the item runs ("small" or "large") when that moved the advice."""


def _chart_size(chart: dict[str, object], measures: dict[str, float]
                ) -> tuple[str, float, bool] | None:
    """(size, the measurement, whether it falls inside that size's range) from the chart."""
    measure, sizes = str(chart.get("measure", "")), chart.get("sizes")
    value = measures.get(measure)
    if value is None or not isinstance(sizes, dict) or not sizes:
        return None
    ranges = {str(s): (float(r[0]), float(r[1])) for s, r in sizes.items()
              if isinstance(r, list | tuple) and len(r) == 2}
    for size, (low, high) in ranges.items():
        if low <= value <= high:
            return size, value, True
    size = min(ranges, key=lambda s: min(abs(value - ranges[s][0]), abs(value - ranges[s][1])))
    return size, value, False


def advise(*, run: Sequence[str], shopper: Shopper, item_id: str | None = None,
           name: str = "it", chart: dict[str, object] | None = None,
           knowledge: FitKnowledge | None = None) -> SizeAdvice | None:
    """The size to buy from `run`, or None when nothing is known to base it on."""
    know = knowledge or FitKnowledge()
    run = order_run(run) or order_run(know.item_runs.get(item_id or "", []))
    if not run:
        return None
    if shopper.reported is not None and same_system(shopper.reported.size, run):
        return _from_report(shopper.reported, run=run, item_id=item_id, name=name,
                            chart=chart or {}, know=know, customer_id=shopper.customer_id)
    own = [r for r in know.by_customer.get(shopper.customer_id or "", [])
           if r.item_id == item_id]
    if own:
        last = own[-1]
        moved = {"small": 1, "large": -1, "fit": 0}[last.fit]
        size = step(run, last.size, moved)
        said = {"small": "was too small", "large": "was too big", "fit": "fit you"}[last.fit]
        return SizeAdvice(size, "high", f"Because the {name} in {last.size} {said}.",
                          "own_feedback", from_size=last.size)

    chart = chart or {}
    if not any(size_rank(s) is not None for s in run):
        # Sizes like Regular/Long have no order: only an exact match can be advised.
        if shopper.usual_size in run:
            return SizeAdvice(shopper.usual_size, "medium",
                              f"Because you usually wear {shopper.usual_size}.", "usual_size",
                              from_size=shopper.usual_size)
        return None
    basis: Literal["usual_size", "history", "chart", "body"]
    if shopper.usual_size and same_system(shopper.usual_size, run):
        base, basis = size_rank(shopper.usual_size) or 0.0, "usual_size"
        why = f"you usually wear {shopper.usual_size}"
    elif (usual := know.usual_rank(shopper.customer_id, run=run)) is not None:
        base, basis = usual, "history"
        why = f"you usually keep a {nearest(run, usual)}"
    elif (read := _chart_size(chart, shopper.measures)) is not None:
        size, value, inside = read
        unit = chart.get("unit", "")
        return SizeAdvice(size if size in run else nearest(run, size_rank(size) or 0.0),
                          "high" if inside else "medium",
                          f"Because your {value:g} {unit} {chart.get('measure')} is "
                          f"{'in' if inside else 'closest to'} the {size} range of its size chart.",
                          "chart")
    elif (body := know.body_rank(shopper.measures, run=run)) is not None:
        base, basis = body, "body"
        why = "shoppers of your build said it fit them in that size"
    else:
        # Nothing to go on, or a usual size from another size system ("9.5" for a jacket):
        # better to ask than to guess.
        return None

    confidence: Confidence = "low" if basis == "body" else "high"
    runs: Fit | None = None
    shift = know.item_shift(item_id) if item_id else None
    fit_note = chart.get("fit") if isinstance(chart.get("fit"), str) else None
    if shift is not None:
        size = nearest(run, base + shift)
        votes = know.item_votes.get(item_id or "", Counter())
        total = sum(votes.values()) or 1
        usual_here = nearest(run, base)
        # Which way it runs follows the move: a size up means it runs small.
        lean: Fit = "small" if (size_rank(size) or 0.0) > (size_rank(usual_here) or 0.0) \
            else "large"
        if size != usual_here:
            why += (f", and {round(100 * votes[lean] / total)}% of {total} buyers said the "
                    f"{name} runs {lean}")
            runs = lean
            confidence = "medium" if basis != "body" else "low"
        else:
            why += f", and most of {total} buyers said the {name} fits true to size"
    elif fit_note in ("runs small", "runs large"):
        size = step(run, nearest(run, base), 1 if fit_note == "runs small" else -1)
        why += f", and the {name} {fit_note}"
        runs = "small" if fit_note == "runs small" else "large"
        confidence = "medium" if basis != "body" else "low"
    else:
        size = nearest(run, base)
        if basis == "usual_size" and shopper.usual_size and shopper.usual_size not in run:
            confidence = "medium"  # their size is between two of ours
    return SizeAdvice(size, confidence, f"Because {why}.", basis,
                      from_size=shopper.usual_size if basis == "usual_size" else None, runs=runs)


# How much a shopper's own report counts against their history when the report is about
# another item: one report is one noisy observation (chosen on the Rent the Runway dev
# file: 0.25 and 0.5 tie, 1 and 2 are worse; `tandem eval sizing --moves`).
REPORT_WEIGHT = 0.5


def _lean(know: FitKnowledge, item_id: str | None, chart: dict[str, object], name: str
          ) -> tuple[int, str]:
    """Which way the item runs (+1 small, -1 large, 0 true to size or unknown) and why, from
    its buyers' feedback, else the chart's fit note."""
    shift = know.item_shift(item_id) if item_id else None
    if shift is not None:
        if abs(shift) < 0.25:
            return 0, ""
        lean: Fit = "small" if shift > 0 else "large"
        votes = know.item_votes.get(item_id or "", Counter())
        total = sum(votes.values()) or 1
        return (1 if lean == "small" else -1,
                f"{round(100 * votes[lean] / total)}% of {total} buyers said the {name} "
                f"runs {lean}")
    note = chart.get("fit")
    if note in ("runs small", "runs large"):
        return (1 if note == "runs small" else -1), f"the {name} {note}"
    return 0, ""


def _from_report(reported: Reported, *, run: Sequence[str], item_id: str | None, name: str,
                 chart: dict[str, object], know: FitKnowledge,
                 customer_id: str | None) -> SizeAdvice:
    said = reported.said_size or reported.size
    why = f"your {said} {reported.phrase}".rstrip() if reported.phrase else f"your {said}"
    direction = {"small": 1, "large": -1, "fit": 0}[reported.fit]
    if reported.item_id not in (None, item_id):
        return _from_other_item(reported, run=run, item_id=item_id, name=name, know=know,
                                customer_id=customer_id, why=why, direction=direction)
    if direction == 0:
        size = reported.size if reported.size in run else nearest(
            run, size_rank(reported.size) or 0.0)
        return SizeAdvice(size, "high", f"Because {why}.", "report", from_size=said)
    lean, lean_why = _lean(know, item_id, chart, name)
    half = has_half_sizes(run)
    places = 1
    if half:
        # One place is half a size: a strong "way too small", or an item that runs small
        # as well, takes a full size.
        places += (reported.strength == "strong") + (lean == direction)
    elif reported.strength == "strong" and lean == direction:
        places = 2
    places = min(places, 2)
    moved_to = move(run, reported.size, direction, places)
    if moved_to is None:
        end = run[-1] if direction > 0 else run[0]
        return SizeAdvice(end, "high", f"Because {why}, and {end} is the "
                          f"{'largest' if direction > 0 else 'smallest'} size the {name} "
                          "comes in.", "report", end_of_run=True, from_size=said)
    size = moved_to
    moved = abs((size_rank(size) or 0.0) - (size_rank(reported.size) or 0.0))
    how_far = (("half a size" if moved <= 0.5 else "a full size") if half
               else "one size" if places == 1 else "two sizes")
    runs: Fit | None = None
    if lean == direction:
        why += f", and {lean_why}"
        runs = "small" if lean > 0 else "large"
    confidence: Confidence = "medium" if lean == -direction else "high"
    return SizeAdvice(size, confidence,
                      f"Because {why}: {how_far} {'up' if direction > 0 else 'down'}.",
                      "report", from_size=said, runs=runs)


def _from_other_item(reported: Reported, *, run: Sequence[str], item_id: str | None,
                     name: str, know: FitKnowledge, customer_id: str | None, why: str,
                     direction: int) -> SizeAdvice:
    """Advice for this item from a report on another: the size they needed there, less
    how that item runs, blended with the size they usually keep, plus how this one runs."""
    other_run = know.item_runs.get(reported.item_id or "") or run
    needed = move(other_run, reported.size, direction) if direction else reported.size
    rank = size_rank(needed or reported.size) or 0.0
    if needed is None:
        rank += direction  # beyond that item's run: one rank past its end
    base = rank - (know.item_shift(reported.item_id or "") or 0.0)
    usual = know.usual_rank(customer_id, run=run)
    if usual is not None:
        kept = len(know.by_customer.get(customer_id or "", []))
        base = (usual * kept + base * REPORT_WEIGHT) / (kept + REPORT_WEIGHT)
    shift = know.item_shift(item_id) if item_id else None
    size = nearest(run, base + (shift or 0.0))
    return SizeAdvice(size, "medium", f"Because {why} in another item.", "report",
                      from_size=reported.said_size or reported.size)
