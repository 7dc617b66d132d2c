"""Size runs: the sizes a product comes in, in order, and moves along them.

Sizes are ordered by a rank: letters by the XXS..XXXL run, numbers by value (shoes 9.5,
dresses 8, EU 42), so "one size up", "half a size down" and offsets work for every size
system in a product's run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Literal

LETTER_RUN = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")


@lru_cache(maxsize=4096)  # a store has few distinct size labels; evals ask millions of times
def size_rank(size: str) -> float | None:
    """Where a size sits in its run: letters by position, numbers by value; None if neither."""
    label = size.strip().upper()
    if label in LETTER_RUN:
        return float(LETTER_RUN.index(label))
    try:
        return float(label)
    except ValueError:
        return None


def order_run(sizes: Iterable[str]) -> list[str]:
    """The distinct sizes in run order (sizes without a rank keep their first position)."""
    unique = list(dict.fromkeys(s for s in sizes if s))
    if all(size_rank(s) is not None for s in unique):
        return sorted(unique, key=lambda s: size_rank(s) or 0.0)
    return unique


@lru_cache(maxsize=4096)
def size_system(size: str) -> Literal["letter", "number"] | None:
    if size.strip().upper() in LETTER_RUN:
        return "letter"
    return "number" if size_rank(size) is not None else None


def same_system(size: str, run: Sequence[str]) -> bool:
    """Letters and numbers are different size systems: an M says nothing about a shoe 9."""
    system = size_system(size)
    return system is not None and any(size_system(s) == system for s in run)


def nearest(run: Sequence[str], rank: float) -> str:
    ranked = [s for s in run if size_rank(s) is not None]
    return min(ranked, key=lambda s: (abs((size_rank(s) or 0.0) - rank), size_rank(s) or 0.0))


def step(run: Sequence[str], size: str, steps: int) -> str:
    """`steps` sizes up (positive) or down from `size` in `run`, stopping at either end."""
    rank = size_rank(size)
    if size not in run:
        if rank is None:
            return size
        size = nearest(run, rank)
    index = max(0, min(len(run) - 1, run.index(size) + steps))
    return run[index]


def move(run: Sequence[str], size: str, direction: int, positions: int = 1) -> str | None:
    """The size `positions` places up (`direction` +1) or down (-1) from `size` among the
    run's sizes strictly beyond it, the last one there is when fewer; None when the run has
    nothing beyond it (a shopper whose 13 is too small, when 13 is the largest).  Unlike
    `step`, a size outside the run moves to the nearest size past it: a 14 that is too big
    becomes the 13."""
    rank = size_rank(size)
    if rank is None or direction == 0:
        return None
    beyond = sorted((s for s in run if (r := size_rank(s)) is not None
                     and (r - rank) * direction > 0),
                    key=lambda s: abs((size_rank(s) or 0.0) - rank))
    return beyond[min(positions, len(beyond)) - 1] if beyond else None


def has_half_sizes(run: Sequence[str]) -> bool:
    """Whether the run goes in half sizes (shoes 9, 9.5, 10): one place is half a size."""
    ranks = sorted(r for s in run if size_system(s) == "number"
                   and (r := size_rank(s)) is not None)
    return any(b - a == 0.5 for a, b in pairwise(ranks))
