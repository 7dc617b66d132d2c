"""The `tandem` command."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Annotated

import typer

from api.settings import get_settings

app = typer.Typer(help="Tandem: the customer-journey agent for online retailers.",
                  no_args_is_help=True, add_completion=False)
eval_app = typer.Typer(help="Measure Tandem: routing, sizing and conversation eval suites.",
                       no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _logging(verbose: bool) -> None:
    from agent.privacy.redact import install_log_redaction

    install_log_redaction()  # no email, phone, card or address reaches a log line
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def serve(host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
          workers: Annotated[int, typer.Option(help="API worker processes")] = 1) -> None:
    """Serve the API, the demo storefront and the widget on the configured database."""
    import uvicorn

    _logging(True)
    uvicorn.run("api.asgi:app", host=host, port=port, workers=workers, log_level="info")


@app.command("demo-data")
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


@app.command("create-agent")
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


@app.command()
def chat(verbose: Annotated[bool, typer.Option(help="Log each turn")] = False) -> None:
    """Chat with the assistant in the terminal, through the same graph and database."""
    _logging(verbose)
    asyncio.run(_chat_loop())


async def _chat_loop() -> None:
    from api.db import session_scope
    from api.runtime import open_runtime
    from api.services.conversations import create_conversation
    from api.services.turns import run_turn

    settings = get_settings()
    async with open_runtime(settings) as runtime:
        with session_scope(runtime.engine) as session:
            conversation, _ = create_conversation(
                session=session, personalization=settings.personalization_default, source="cli")
        typer.echo("Tandem terminal chat. Empty line or Ctrl-D to quit.")
        while True:
            try:
                text = input("you> ").strip()
            except EOFError:
                break
            if not text:
                break
            typer.echo("tandem> ", nl=False)
            async for event in run_turn(runtime, conversation_id=conversation.id, text=text,
                                        client_message_id=str(uuid.uuid4())):
                if event.kind == "token":
                    typer.echo(event.data["text"], nl=False)
                elif event.kind == "reset":  # the streamed words were withdrawn
                    typer.echo("\ntandem> ", nl=False)
                elif event.kind == "done":
                    typer.echo("")
                    for s in event.data["reply"]["suggestions"]:
                        typer.echo(f"  - {s['name']} ({s['color'] or ''} {s['size'] or ''}) "
                                   f"${s['price']:.2f}: {s['stock_note']}. {s['because']}")
                    if event.data["route"] == "human":
                        typer.echo("  [handed to a person: see the agent queue]")


# Sub-command modules register themselves on `app` / `eval_app` when imported.
from api.commands import registry as _registry  # noqa: E402,F401
