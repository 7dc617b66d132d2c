"""A demo support agent for the laptop demo, never in production."""

from __future__ import annotations

from sqlmodel import Session, select

from api.models import SupportAgent
from api.services.handoffs import create_agent
from api.settings import Settings

DEMO_USERNAME = "demo"


def ensure_demo_agent(*, session: Session, settings: Settings) -> str | None:
    """Create the demo agent (password from TANDEM_DEMO_AGENT_PASSWORD) in development."""
    if settings.environment != "development":
        return None
    password = settings.demo_agent_password.get_secret_value()
    if session.exec(select(SupportAgent).where(SupportAgent.username == DEMO_USERNAME)).first():
        return f"Demo agent: {DEMO_USERNAME} (existing password kept)"
    create_agent(session=session, username=DEMO_USERNAME, password=password,
                 display_name="Sam", is_admin=True)
    return f"Demo agent: {DEMO_USERNAME} / {password} (change TANDEM_DEMO_AGENT_PASSWORD)"
