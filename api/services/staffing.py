"""Is a person there to answer?  Agents' presence in the console and the business hours.

"Online" means an agent was active in the console within `agent_online_minutes`; the
console records activity at most once per `_TOUCH_EVERY` so polling pages do not write on
every request.  The facts returned by `staffing_facts` go to the handoff reply template,
which tells the shopper honestly when a person will answer.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from api.db import session_scope
from api.models import AgentActivity
from api.settings import Settings
from domain.tables import utcnow

log = logging.getLogger(__name__)
_TOUCH_EVERY = timedelta(seconds=30)


def record_activity(*, engine: Engine, agent_id: int, now: datetime | None = None) -> None:
    """Mark the agent as active now (a no-op if they were marked in the last 30 seconds).

    Its own short transaction, so a clash between two tabs never fails the page itself."""
    now = now or utcnow()
    try:
        with session_scope(engine) as session:
            activity = session.get(AgentActivity, agent_id)
            if activity is not None and now - activity.last_seen_at < _TOUCH_EVERY:
                return
            activity = activity or AgentActivity(agent_id=agent_id)
            activity.last_seen_at = now
            session.add(activity)
    except IntegrityError:
        log.info("agent %s was marked active by a concurrent request", agent_id)


def agents_online(*, session: Session, within_minutes: int,
                  now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(minutes=within_minutes)
    count = session.exec(select(func.count()).select_from(AgentActivity)
                         .where(col(AgentActivity.last_seen_at) >= since)).one()
    return int(count)


def is_open(settings: Settings, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(settings.business_timezone))
    return (local.weekday() in settings.business_days
            and settings.business_open <= local.time()
            < settings.business_close)


def next_opening(settings: Settings, moment: datetime) -> datetime | None:
    """The next time support opens after `moment` (local time), or None if it never does."""
    zone = ZoneInfo(settings.business_timezone)
    local = moment.astimezone(zone)
    for days_ahead in range(8):
        day = (local + timedelta(days=days_ahead)).date()
        opening = datetime.combine(day, settings.business_open, tzinfo=zone)
        if day.weekday() in settings.business_days and opening > local:
            return opening
    return None


def staffing_facts(*, session: Session, settings: Settings,
                   now: datetime | None = None) -> dict[str, Any]:
    """Plain data for the handoff reply template: who is there, and when someone will be."""
    now = now or utcnow()
    online = agents_online(session=session, within_minutes=settings.agent_online_minutes,
                           now=now) > 0
    open_now = is_open(settings, now)
    facts: dict[str, Any] = {"online": online, "open_now": open_now,
                             "timezone": settings.business_timezone}
    opening = None if open_now else next_opening(settings, now)
    if opening is not None:
        local_now = now.astimezone(opening.tzinfo)
        days = (opening.date() - local_now.date()).days
        facts |= {"next_open_day": opening.strftime("%A"), "next_open_in_days": days,
                  "next_open_time": opening.strftime("%H:%M"),
                  "next_open_date": opening.date().isoformat()}
    return facts
