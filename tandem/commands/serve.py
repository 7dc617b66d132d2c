"""`tandem serve` and `tandem chat`: the API server, and a terminal chat through the same
graph and database."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

import typer

from api.settings import get_settings
from tandem.logs import configure_logging


def serve(host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
          workers: Annotated[int, typer.Option(help="API worker processes")] = 1) -> None:
    """Serve the API, the demo storefront and the widget on the configured database.

    On SIGTERM each worker stops taking turns, ends its event streams (clients reconnect
    elsewhere with Last-Event-ID) and lets running turns finish (TANDEM_SHUTDOWN_DRAIN_S)."""
    import os

    import uvicorn

    configure_logging(verbose=True)
    # Every worker reads it: on SQLite, several workers' event streams must also poll.
    os.environ["TANDEM_WORKERS"] = str(workers)
    # timeout_worker_healthcheck: uvicorn kills a worker that does not answer its ping in
    # time (5 s by default), cutting its turns and streams; on a busy machine a healthy
    # worker can take longer than that (seen under the load bench).
    uvicorn.run("api.asgi:app", host=host, port=port, workers=workers, log_level="info",
                timeout_graceful_shutdown=int(get_settings().shutdown_drain_s) + 5,
                timeout_worker_healthcheck=30)


def chat(verbose: Annotated[bool, typer.Option(help="Log each turn")] = False) -> None:
    """Chat with the assistant in the terminal, through the same graph and database."""
    configure_logging(verbose=verbose)
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
