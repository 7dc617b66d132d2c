"""What fit feedback says: records of a size kept or returned as small, fine or large (a
store's `fit_feedback` table, an eval's training split), learnt once into the offsets,
votes, usual sizes and body-build sizes the size advisor reads (agent/commerce/sizing.py).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from agent.commerce.size_runs import order_run, same_system, size_rank, size_system

Fit = Literal["small", "fit", "large"]
_FITS: dict[str, Fit] = {"small": "small", "fit": "fit", "large": "large"}


def as_fit(value: str) -> Fit:
    """`value` as a fit verdict; ValueError for anything else."""
    try:
        return _FITS[value]
    except KeyError:
        raise ValueError(f"fit must be small, fit or large, not {value!r}") from None


# An item's buyers must number at least this many before their feedback moves a size
# (10 beat 5 on the Rent the Runway split, on the full set and on a fifth of it).
MIN_ITEM_RECORDS = 10
MIN_BODY_RECORDS = 5


@dataclass(frozen=True)
class FitRecord:
    """One piece of fit feedback: a customer kept or returned an item in a size."""

    customer_id: str
    item_id: str
    size: str
    fit: Fit
    height_in: float | None = None
    weight_lbs: float | None = None
    bust_in: float | None = None
    """Bust or chest, in inches."""


def _body_keys(height: float | None, weight: float | None, bust: float | None
               ) -> list[tuple[object, ...]]:
    """Lookup keys from most to least specific: similar bodies share a key."""
    keys: list[tuple[object, ...]] = []
    if bust and weight:
        keys.append(("bust+weight", round(bust), round(weight / 10)))
    if weight and height:
        keys.append(("weight+height", round(weight / 10), round(height / 2)))
    if bust and height:
        keys.append(("bust+height", round(bust), round(height / 2)))
    if weight:
        keys.append(("weight", round(weight / 5)))
    if bust:
        keys.append(("bust", round(bust)))
    return keys


@dataclass
class FitKnowledge:
    """What fit feedback says, learnt once from records (a store's table, an eval's train)."""

    by_customer: dict[str, list[FitRecord]] = field(default_factory=dict)
    item_runs: dict[str, list[str]] = field(default_factory=dict)
    item_offsets: dict[str, list[float]] = field(default_factory=dict)
    item_votes: dict[str, Counter[Fit]] = field(default_factory=dict)
    body_sizes: dict[tuple[object, ...], dict[str | None, list[float]]] = field(
        default_factory=dict)
    """Per body key and size system, the ranks of sizes that fit shoppers of that build."""
    _body_medians: dict[tuple[object, ...], float | None] = field(default_factory=dict,
                                                                   repr=False)

    @classmethod
    def from_records(cls, records: Iterable[FitRecord]) -> FitKnowledge:
        rows = [r for r in records if size_rank(r.size) is not None]
        by_customer: dict[str, list[FitRecord]] = defaultdict(list)
        runs: dict[str, set[str]] = defaultdict(set)
        votes: dict[str, Counter[Fit]] = defaultdict(Counter)
        body: dict[tuple[object, ...], dict[str | None, list[float]]] = defaultdict(
            lambda: defaultdict(list))
        for r in rows:
            by_customer[r.customer_id].append(r)
            runs[r.item_id].add(r.size)
            votes[r.item_id][r.fit] += 1
            if r.fit == "fit":
                for key in _body_keys(r.height_in, r.weight_lbs, r.bust_in):
                    body[key][size_system(r.size)].append(size_rank(r.size) or 0.0)
        knowledge = cls(by_customer=dict(by_customer),
                        item_runs={i: order_run(s) for i, s in runs.items()},
                        item_votes=dict(votes), body_sizes=dict(body))
        knowledge.item_offsets = knowledge._offsets(rows)
        return knowledge

    def _offsets(self, rows: list[FitRecord]) -> dict[str, list[float]]:
        """Per item, how far from their usual size its buyers needed to go (in rank units):
        a "small" at M means they needed at least the next size up."""
        offsets: dict[str, list[float]] = defaultdict(list)
        for r in rows:
            base = self.usual_rank(r.customer_id, run=self.item_runs[r.item_id],
                                   exclude_item=r.item_id)
            if base is None:
                continue
            needed = size_rank(r.size) or 0.0
            if r.fit == "small":
                needed += 1
            elif r.fit == "large":
                needed -= 1
            offsets[r.item_id].append(needed - base)
        return dict(offsets)

    def usual_rank(self, customer_id: str | None, *, run: Sequence[str],
                   exclude_item: str | None = None) -> float | None:
        """The rank of the size the customer takes most often in `run`'s size system
        (ties: the smaller)."""
        history = [r for r in self.by_customer.get(customer_id or "", [])
                   if r.item_id != exclude_item and same_system(r.size, run)]
        if not history:
            return None
        counts = Counter(size_rank(r.size) or 0.0 for r in history)
        return max(counts, key=lambda rank: (counts[rank], -rank))

    def item_shift(self, item_id: str) -> float | None:
        offsets = self.item_offsets.get(item_id, [])
        return statistics.median(offsets) if len(offsets) >= MIN_ITEM_RECORDS else None

    def body_rank(self, measures: dict[str, float], *, run: Sequence[str]) -> float | None:
        """The median size (in `run`'s size system) that shoppers of this build said fit."""
        bust = measures.get("bust") or measures.get("chest")
        systems = frozenset({size_system(s) for s in run} - {None})
        for key in _body_keys(measures.get("height_in"), measures.get("weight_lbs"), bust):
            if (key, systems) not in self._body_medians:
                by_system = self.body_sizes.get(key, {})
                ranks = [rank for system in systems for rank in by_system.get(system, [])]
                self._body_medians[(key, systems)] = (
                    float(statistics.median_low(ranks)) if len(ranks) >= MIN_BODY_RECORDS
                    else None)
            if (median := self._body_medians[(key, systems)]) is not None:
                return median
        return None
