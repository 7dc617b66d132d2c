"""ASGI entry point for `uvicorn api.asgi:app` (used by `tandem serve`)."""

from api.app import create_app

app = create_app()
app.state.served = True  # the lifespan ends event streams on SIGTERM (see api/app.py)
