"""New handoffs assigned automatically to online agents with capacity, round robin."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.db import session_scope
from api.models import AgentActivity, Handoff
from api.services.handoffs import create_agent
from api.settings import Settings
from domain.tables import utcnow
from tests.conftest import api_client
from tests.helpers import say, start_chat

REFUND = "this is ridiculous, I want a refund"


def _two_agents_online(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        # Only these two are online: everyone else was last seen long ago.
        session.execute(update(AgentActivity).values(last_seen_at=utcnow() - timedelta(days=1)))
        ids = []
        for name in ("Ro", "Bin"):
            agent = create_agent(session=session, username=f"{name}-{uuid.uuid4().hex[:6]}",
                                 password="a-long-password", display_name=name)
            session.add(AgentActivity(agent_id=agent.id or 0))
            ids.append(agent.id or 0)
    return ids


async def test_new_handoffs_go_round_robin_to_online_agents_with_room(
        settings: Settings, engine: Engine) -> None:
    first, second = _two_agents_online(engine)
    auto = settings.model_copy(update={"handoff_auto_assign": True, "agent_capacity": 1,
                                       "rate_limit_ip_per_minute": 0})
    async with api_client(auto) as client:
        turns = []
        for _ in range(3):
            chat = await start_chat(client)
            turns.append(await say(client, chat, REFUND))
    with Session(engine) as session:
        owners = [session.get(Handoff, t["handoff"]["id"]).agent_id  # type: ignore[union-attr]
                  for t in turns]
    assert owners[:2] == [first, second]  # one each, in turn
    assert owners[2] is None  # both at capacity: it waits in the queue
    assert turns[0]["handoff"]["status"] == "claimed" and turns[0]["handoff"]["agent_name"] == "Ro"
    assert turns[2]["handoff"]["status"] == "open"
