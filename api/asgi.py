"""The ASGI entry point for uvicorn (`api.asgi:app`), built from settings."""

from api.app import create_app

app = create_app()
