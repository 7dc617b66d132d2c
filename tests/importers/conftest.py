"""Importer tests write into databases of their own, so the shared demo databases (and the
search results other tests expect from them) never see the imported rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from api.db import make_engine


@pytest.fixture
def fresh_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty SQLite store database for one test."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()
