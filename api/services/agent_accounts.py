"""Support agent accounts as an admin manages them in the console.

Passwords are hashed by `api.services.handoffs.create_agent` (scrypt); this module only
checks what an admin typed before an account is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from api.models import AgentActivity, SupportAgent
from api.services.handoffs import create_agent

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
    if len(password) < MIN_PASSWORD_CHARS or len(password) > 256:
        raise AccountError(f"passwords need {MIN_PASSWORD_CHARS} to 256 characters")
    taken = session.exec(select(SupportAgent).where(SupportAgent.username == username)).first()
    if taken is not None:
        raise AccountError(f"the username {username!r} is taken")
    return create_agent(session=session, username=username, password=password,
                        display_name=display_name, is_admin=is_admin)
