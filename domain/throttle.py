"""Back-off and lock-out for guessed secrets, counted in the database (`FailureCount`).

A key (an order id, a client, a username) may fail `free_failures` times; each failure after
that locks it for twice as long as the one before, from `first_lock_s` up to `max_lock_s`.
A key with no failure for `forget_after_s` starts afresh.  While a key is locked the secret
is not even checked, so a correct guess then is worth nothing to a script: at most a few
guesses per key fit in a day.  Counting in the database (not in one conversation's state or
one worker's memory) is what stops a script that opens a new conversation, or reaches
another worker, every few guesses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from domain.tables import FailureCount, utcnow


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    """Failures allowed before the first lock."""
    first_lock_s: float
    max_lock_s: float
    forget_after_s: float = 86_400.0

    def lock_s(self, failures: int) -> float:
        """How long the key is locked after its `failures`-th failure (0: not locked)."""
        beyond = failures - self.free_failures
        if beyond <= 0:
            return 0.0
        return min(self.max_lock_s, self.first_lock_s * 2 ** min(beyond - 1, 40))


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def seconds_locked(session: Session, keys: Iterable[str], *, now: datetime | None = None
                   ) -> int:
    """Whole seconds until every key is free again; 0 when none is locked."""
    now = now or utcnow()
    wait = 0.0
    for key in keys:
        row = session.get(FailureCount, key)
        if row is not None and row.locked_until is not None:
            wait = max(wait, (_aware(row.locked_until) - now).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def record_failure(session: Session, key: str, policy: ThrottlePolicy, *,
                   now: datetime | None = None) -> int:
    """Count one failure for `key`; returns how many it now has."""
    now = now or utcnow()
    row = session.get(FailureCount, key, with_for_update=True)
    if row is None:
        try:
            # A savepoint: two first failures at once must not undo the caller's work.
            with session.begin_nested():
                session.add(FailureCount(key=key, failures=0, last_failure_at=now))
        except IntegrityError:
            pass  # the other one inserted it first
        row = session.get(FailureCount, key, with_for_update=True, populate_existing=True)
        assert row is not None
    elif (now - _aware(row.last_failure_at)).total_seconds() > policy.forget_after_s:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    lock = policy.lock_s(row.failures)
    row.locked_until = now + timedelta(seconds=lock) if lock else None
    session.add(row)
    session.flush()
    return row.failures


def forget(session: Session, key: str) -> None:
    """The secret was proven: this key starts afresh."""
    row = session.get(FailureCount, key)
    if row is not None:
        session.delete(row)
