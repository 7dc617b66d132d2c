"""Automatic assignment of a new handoff to an online agent with capacity, round robin.

Off by default (`TANDEM_HANDOFF_AUTO_ASSIGN`).  An agent is a candidate while active in the
console in the last `TANDEM_AGENT_ONLINE_MINUTES` and holding fewer than
`TANDEM_AGENT_CAPACITY` claimed handoffs; of the candidates, the one whose last claim is
oldest (or who has none) gets it, so work goes round.  The assignment is an ordinary claim
(api/services/handoffs.py): the shopper sees the agent join, the console hears of it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.models import AgentActivity, Handoff, SupportAgent
from api.services.handoffs import claim
from api.settings import Settings
from domain.tables import utcnow


def assign_round_robin(*, session: Session, settings: Settings,
                       handoff: Handoff) -> SupportAgent | None:
    """Claim `handoff` for the next online agent with capacity; None if nobody has room."""
    if not settings.handoff_auto_assign:
        return None
    since = utcnow() - timedelta(minutes=settings.agent_online_minutes)
    online = session.exec(select(SupportAgent).join(
        AgentActivity, col(AgentActivity.agent_id) == col(SupportAgent.id)).where(
        col(AgentActivity.last_seen_at) >= since)).all()
    if not online:
        return None
    load = dict(session.exec(select(Handoff.agent_id, func.count()).where(
        Handoff.status == "claimed").group_by(col(Handoff.agent_id))).all())
    last_claim = dict(session.exec(select(Handoff.agent_id, func.max(Handoff.claimed_at))
                                   .where(col(Handoff.agent_id).is_not(None))
                                   .group_by(col(Handoff.agent_id))).all())
    free = [a for a in online if load.get(a.id, 0) < settings.agent_capacity]
    if not free:
        return None
    never = utcnow() - timedelta(days=36500)
    chosen = min(free, key=lambda a: (last_claim.get(a.id) or never, a.id or 0))
    claim(session=session, handoff_id=handoff.id, agent=chosen)
    return chosen
