"""Agent sign-in and sessions, for the console (a cookie) and the agent API (a bearer token).

A session is a row (`AgentSession`) holding the hash of a random token, so it can be ended:
signing out ends it, a password change or disabling the account ends every one of the
agent's sessions, and a session unused for `agent_idle_minutes` or older than
`agent_session_hours` is no longer accepted.  A copied cookie or token is worth nothing
once any of these happens.

Sign-in fails the same way, and takes as long, for an unknown username, a wrong password
and a disabled account.  Failures are counted per username and per client address in the
database (domain/throttle.py): past a few, that username or that client waits longer after
each failure, on every API worker.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.models import AgentSession, SupportAgent
from api.security import hash_token, new_token, verify_password_or_spend
from api.settings import Settings
from domain.tables import utcnow
from domain.throttle import ThrottlePolicy, forget, record_failure, seconds_locked

SessionKind = Literal["console", "api"]
PER_ACCOUNT = ThrottlePolicy(free_failures=5, first_lock_s=30, max_lock_s=3600)
"""Per username: five wrong passwords, then 30 s, 1 min, 2 min... up to an hour."""
PER_CLIENT = ThrottlePolicy(free_failures=20, first_lock_s=30, max_lock_s=3600)
"""Per client address: room for a team behind one office address, then the same."""
TOUCH_EVERY = timedelta(seconds=60)
"""`last_seen_at` is written at most this often: a write per console poll is waste."""
WRONG = "Wrong username or password."


class SignInRefused(Exception):
    """Sign-in refused; `str()` is what the agent sees, `retry_after_s` set when locked."""

    def __init__(self, message: str, retry_after_s: int = 0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class SignedIn:
    agent: SupportAgent
    session: AgentSession
    token: str
    """The cookie or bearer token: shown once, stored only as a hash."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def sign_in(*, session: Session, settings: Settings, username: str, password: str,
            client: str | None, kind: SessionKind) -> SignedIn:
    """A new session for the agent, or `SignInRefused`.  A failure is committed at once:
    it must count even though the request then fails."""
    username = username.strip().lower()
    keys = [f"login:{username}"] + ([f"login-client:{client}"] if client else [])
    if locked := seconds_locked(session, keys):
        minutes = math.ceil(locked / 60)
        raise SignInRefused(f"Too many failed sign-ins. Try again in {minutes} minute"
                            f"{'' if minutes == 1 else 's'}.", retry_after_s=locked)
    agent = session.exec(select(SupportAgent).where(SupportAgent.username == username)).first()
    matches = verify_password_or_spend(password, agent.password_hash if agent else None)
    if agent is None or not matches or agent.disabled_at is not None:
        record_failure(session, keys[0], PER_ACCOUNT)
        if client:
            record_failure(session, keys[1], PER_CLIENT)
        session.commit()
        raise SignInRefused(WRONG)
    forget(session, keys[0])
    row, token = open_session(session=session, settings=settings, agent=agent, kind=kind)
    return SignedIn(agent=agent, session=row, token=token)


def open_session(*, session: Session, settings: Settings, agent: SupportAgent,
                 kind: SessionKind, now: datetime | None = None) -> tuple[AgentSession, str]:
    assert agent.id is not None
    now = now or utcnow()
    token = new_token()
    row = AgentSession(id=secrets.token_urlsafe(16), token_hash=hash_token(token),
                       agent_id=agent.id, kind=kind, created_at=now, last_seen_at=now,
                       expires_at=now + timedelta(hours=settings.agent_session_hours))
    session.add(row)
    session.flush()
    return row, token


def current_session(*, session: Session, settings: Settings, token: str | None,
                    kind: SessionKind, now: datetime | None = None
                    ) -> tuple[AgentSession, SupportAgent] | None:
    """The live session this token opens, with its agent; None when it is unknown, of the
    other kind, ended, past its lifetime, idle too long, or its agent is disabled."""
    if not token:
        return None
    now = now or utcnow()
    row = session.exec(select(AgentSession).where(
        AgentSession.token_hash == hash_token(token))).first()
    if row is None or row.kind != kind or row.ended_at is not None:
        return None
    idle = timedelta(minutes=settings.agent_idle_minutes)
    if now >= _aware(row.expires_at) or now - _aware(row.last_seen_at) > idle:
        return None
    agent = session.get(SupportAgent, row.agent_id)
    if agent is None or agent.disabled_at is not None:
        return None
    if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return row, agent


def end_session(*, session: Session, row: AgentSession) -> None:
    row.ended_at = utcnow()
    session.add(row)


def end_agent_sessions(*, session: Session, agent_id: int, keep: str | None = None) -> int:
    """End every live session of the agent (but `keep`); returns how many were ended."""
    query = update(AgentSession).where(col(AgentSession.agent_id) == agent_id,
                                       col(AgentSession.ended_at).is_(None))
    if keep is not None:
        query = query.where(col(AgentSession.id) != keep)
    result = session.execute(query.values(ended_at=utcnow()))
    return result.rowcount or 0  # type: ignore[attr-defined,no-any-return]
