"""Daily operations figures for the console's operations page, from the turn records."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlmodel import Session, col, select

from api.models import TurnStat


@dataclass
class OperationsDays:
    days: list[str]
    turns: list[float] = field(default_factory=list)
    rates: dict[str, list[float | None]] = field(default_factory=dict)
    """handoff, fallback, busy, withdrawn: share of turns (withdrawn: of model replies)"""
    seconds_p50: list[float | None] = field(default_factory=list)
    seconds_p95: list[float | None] = field(default_factory=list)
    tokens: dict[str, list[float | None]] = field(default_factory=dict)
    """mean prompt, cached and generated tokens per turn"""
    handoff_rules: Counter[str] = field(default_factory=Counter)


def daily(session: Session, *, now: datetime, days: int = 28) -> OperationsDays:
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0,
                                                     microsecond=0)
    labels = [(start + timedelta(days=i)).date().isoformat() for i in range(days)]
    by_day: dict[str, list[TurnStat]] = defaultdict(list)
    for stat in session.exec(select(TurnStat).where(col(TurnStat.created_at) >= start)):
        by_day[stat.created_at.date().isoformat()].append(stat)
    out = OperationsDays(days=labels, rates={k: [] for k in ("handoff", "fallback", "busy",
                                                             "withdrawn")},
                         tokens={k: [] for k in ("prompt", "cached", "generated")})
    for label in labels:
        stats = by_day.get(label, [])
        out.turns.append(float(len(stats)))
        phrased = [s for s in stats if s.reply in ("model", "withdrawn")]

        def share(hits: int, total: int) -> float | None:
            return hits / total if total else None

        out.rates["handoff"].append(share(sum(s.route == "human" for s in stats), len(stats)))
        out.rates["fallback"].append(share(sum(s.reply in ("fallback", "unavailable")
                                               for s in stats), len(stats)))
        out.rates["busy"].append(share(sum(s.reply == "busy" for s in stats), len(stats)))
        out.rates["withdrawn"].append(share(sum(s.reply == "withdrawn" for s in phrased),
                                            len(phrased)))
        seconds = np.array([s.seconds for s in stats])
        out.seconds_p50.append(float(np.percentile(seconds, 50)) if len(stats) else None)
        out.seconds_p95.append(float(np.percentile(seconds, 95)) if len(stats) else None)
        for kind, attr in (("prompt", "prompt_tokens"), ("cached", "cached_tokens"),
                           ("generated", "generated_tokens")):
            out.tokens[kind].append(float(np.mean([getattr(s, attr) for s in stats]))
                                    if stats else None)
        out.handoff_rules.update(s.handoff_rule for s in stats if s.handoff_rule)
    return out
