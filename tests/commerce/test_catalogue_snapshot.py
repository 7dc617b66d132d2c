"""The catalogue each process keeps in memory for search follows every change at once:
one written through another engine (another worker), a bulk update, and never one that
was rolled back.  Without the version check a sold-out jacket would still be offered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from agent.commerce.catalog import search_catalog
from agent.commerce.demo_store import build_demo_store
from agent.commerce.query import parse_query
from agent.commerce.snapshot import catalogue
from domain.db import make_engine, session_scope
from domain.tables import Product, Variant

ASK = "waterproof rain jacket"


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one fresh store: this worker's and another's."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    ours, theirs = make_engine(url), make_engine(url)
    SQLModel.metadata.create_all(ours)
    with session_scope(ours) as session:
        build_demo_store(session, seed=7)
    yield ours, theirs
    ours.dispose()
    theirs.dispose()


def _offered(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [c.product.id for c in search_catalog(session, parse_query(ASK),
                                                     semantic=False)]


def _sell_out(session: Session, product_id: str) -> None:
    for variant in session.exec(select(Variant).where(col(Variant.product_id) == product_id)):
        variant.available = False
        session.add(variant)


def test_a_product_sold_out_by_another_worker_is_not_offered_on_the_next_search(
        engines: tuple[Engine, Engine]) -> None:
    ours, theirs = engines
    first = _offered(ours)
    with Session(ours) as a, Session(ours) as b:
        assert catalogue(a) is catalogue(b)  # unchanged: read once, kept
    with session_scope(theirs) as session:
        _sell_out(session, first[0])
    assert first[0] not in _offered(ours)


def test_a_bulk_update_and_a_rolled_back_change(engines: tuple[Engine, Engine]) -> None:
    ours, theirs = engines
    first = _offered(ours)
    with Session(theirs) as session:
        _sell_out(session, first[0])
        session.flush()
        assert first[0] not in [c.product.id for c in search_catalog(
            session, parse_query(ASK), semantic=False)]  # its own change, in its transaction
        session.rollback()
    assert _offered(ours) == first
    assert _offered(theirs) == first  # the rolled-back read was never kept
    with session_scope(theirs) as session:
        session.exec(update(Product).where(col(Product.id) == first[0])  # type: ignore[call-overload]
                     .values(name="Renamed Thing", category="thing", tags="", description=""))
    assert first[0] not in _offered(ours)
