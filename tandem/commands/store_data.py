"""`tandem demo-data` and `tandem create-agent`: fill the database for a demo, add agents."""

from __future__ import annotations

from typing import Annotated

import typer

from api.settings import get_settings


def demo_data(seed: Annotated[int, typer.Option(help="Random seed; same seed, same store")] = 7,
              ) -> None:
    """Fill the configured database with the deterministic demo store (replacing it)."""
    from agent.commerce.demo_store import build_demo_store
    from agent.commerce.semantic import index_products
    from api.db import engine_for, session_scope
    from api.services.demo_agents import ensure_demo_agent

    settings = get_settings()
    engine = engine_for(settings.database_url)
    with session_scope(engine) as session:
        report = build_demo_store(session, seed=seed)
        session.flush()
        embedded = index_products(session)
        agent_line = ensure_demo_agent(session=session, settings=settings)
    typer.echo(f"Demo store written to {settings.database_url}")
    typer.echo(str(report))
    typer.echo(f"Products embedded for semantic search: {embedded}")
    if agent_line:
        typer.echo(agent_line)


def create_agent(username: str, display_name: str,
                 admin: Annotated[bool, typer.Option(help="Can add other agents")] = False,
                 password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                                       confirmation_prompt=True)] = "") -> None:
    """Add a support agent who can sign in to work the handoff queue."""
    from api.db import engine_for, session_scope
    from api.services.handoffs import create_agent as create

    with session_scope(engine_for(get_settings().database_url)) as session:
        create(session=session, username=username, password=password,
               display_name=display_name, is_admin=admin)
    typer.echo(f"agent {username} created")
