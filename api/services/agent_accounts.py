"""Support agent accounts as an admin manages them in the console, and each agent's own
password.

Passwords are hashed with scrypt (`api.security`).  Changing a password ends every other
session of the agent; disabling an agent ends all of theirs and refuses their sign-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from api.models import AgentActivity, SupportAgent
from api.security import hash_password, verify_password
from api.services.agent_sessions import end_agent_sessions
from api.services.handoffs import create_agent
from domain.tables import utcnow

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MIN_PASSWORD_CHARS = 10


class AccountError(ValueError):
    """The new account was refused; the message says why."""


@dataclass(frozen=True)
class AgentRow:
    agent: SupportAgent
    last_seen_at: datetime | None


def list_agents(*, session: Session) -> list[AgentRow]:
    rows = session.exec(select(SupportAgent, AgentActivity)
                        .join(AgentActivity, col(AgentActivity.agent_id) == col(SupportAgent.id),
                              isouter=True)
                        .order_by(col(SupportAgent.username)))
    return [AgentRow(agent=a, last_seen_at=act.last_seen_at if act else None)
            for a, act in rows]


def add_agent(*, session: Session, username: str, display_name: str, password: str,
              is_admin: bool) -> SupportAgent:
    username, display_name = username.strip().lower(), display_name.strip()
    if not USERNAME.match(username):
        raise AccountError("usernames are 2 to 64 lower-case letters, digits, '.', '_' or '-'")
    if not display_name or len(display_name) > 80:
        raise AccountError("the display name (shown to shoppers) needs 1 to 80 characters")
    _check_password(password)
    taken = session.exec(select(SupportAgent).where(SupportAgent.username == username)).first()
    if taken is not None:
        raise AccountError(f"the username {username!r} is taken")
    return create_agent(session=session, username=username, password=password,
                        display_name=display_name, is_admin=is_admin)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS or len(password) > 256:
        raise AccountError(f"passwords need {MIN_PASSWORD_CHARS} to 256 characters")


def change_password(*, session: Session, agent: SupportAgent, current: str, new: str,
                    confirm: str, keep_session: str | None) -> int:
    """The agent's own password, changed after the current one is proven; every other
    session of theirs ends (a copied cookie or token dies with the old password).
    Returns how many sessions were ended."""
    if not verify_password(current, agent.password_hash):
        raise AccountError("the current password is wrong")
    if new != confirm:
        raise AccountError("the new password and its confirmation differ")
    if new == current:
        raise AccountError("choose a password different from the current one")
    _check_password(new)
    assert agent.id is not None
    agent.password_hash = hash_password(new)
    session.add(agent)
    return end_agent_sessions(session=session, agent_id=agent.id, keep=keep_session)


def set_disabled(*, session: Session, admin: SupportAgent, agent_id: int,
                 disabled: bool) -> SupportAgent:
    """Disable an agent (their sessions end, sign-in is refused) or enable them again."""
    agent = session.get(SupportAgent, agent_id)
    if agent is None:
        raise AccountError("no such agent")
    if agent.id == admin.id:
        raise AccountError("you cannot disable your own account")
    agent.disabled_at = utcnow() if disabled else None
    session.add(agent)
    if disabled:
        end_agent_sessions(session=session, agent_id=agent_id)
    return agent
