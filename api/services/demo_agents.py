"""A demo support agent for the laptop demo, never anywhere else.

`tandem demo-data` creates it only with `TANDEM_ENVIRONMENT=development`; a database built
that way and then served in any other mode would still hold an agent whose password is in
the README, so the app disables it at start-up outside development (`retire_demo_agents`).
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.db import session_scope
from api.models import SupportAgent
from api.security import verify_password
from api.services.agent_sessions import end_agent_sessions
from api.services.handoffs import create_agent
from api.settings import Settings
from domain.tables import utcnow

log = logging.getLogger(__name__)
DEMO_USERNAME = "demo"
PUBLISHED_PASSWORD = "tandem-demo"
"""The demo agent's default password, printed in the README."""


def ensure_demo_agent(*, session: Session, settings: Settings) -> str | None:
    """Create the demo agent (password from TANDEM_DEMO_AGENT_PASSWORD) in development."""
    if not settings.is_development:
        return None
    password = settings.demo_agent_password.get_secret_value()
    if session.exec(select(SupportAgent).where(SupportAgent.username == DEMO_USERNAME)).first():
        return f"Demo agent: {DEMO_USERNAME} (existing password kept)"
    agent = create_agent(session=session, username=DEMO_USERNAME, password=password,
                         display_name="Sam", is_admin=True)
    agent.is_demo = True
    session.add(agent)
    return f"Demo agent: {DEMO_USERNAME} / {password} (change TANDEM_DEMO_AGENT_PASSWORD)"


def retire_demo_agents(*, engine: Engine, settings: Settings) -> int:
    """Outside development, disable every demo agent and end their sessions; returns how
    many were disabled now."""
    if settings.is_development:
        return 0
    published = {PUBLISHED_PASSWORD, settings.demo_agent_password.get_secret_value()}
    with session_scope(engine) as session:
        live = session.exec(select(SupportAgent).where(
            col(SupportAgent.disabled_at).is_(None),
            col(SupportAgent.is_demo) | (col(SupportAgent.username) == DEMO_USERNAME))).all()
        # A database from before `is_demo` existed: the demo account is the one still
        # signing in with the published password.
        demo = [a for a in live if a.is_demo
                or any(verify_password(p, a.password_hash) for p in published)]
        for agent in demo:
            agent.disabled_at = utcnow()
            session.add(agent)
            assert agent.id is not None
            end_agent_sessions(session=session, agent_id=agent.id)
            log.warning("demo agent %r disabled: TANDEM_ENVIRONMENT is %s, not development",
                        agent.username, settings.environment)
        return len(demo)
