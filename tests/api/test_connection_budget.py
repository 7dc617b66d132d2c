"""Four workers on a default PostgreSQL can ask for more connections than it accepts: the
server must say so at start-up, with the numbers, rather than fail under the first burst."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from api.db import make_engine
from api.db_budget import per_worker_connections, warn_if_over_budget
from api.settings import Settings
from tests.conftest import PG_ADMIN_URL


@pytest.fixture(scope="module")
def admin_engine() -> Iterator[tuple[Engine, int]]:
    engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            most = int(conn.execute(text("SHOW max_connections")).scalar_one())
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL not reachable: {exc.__class__.__name__}")
    yield engine, most
    engine.dispose()


def test_more_workers_than_connections_is_warned_about_with_the_numbers(
        admin_engine: tuple[Engine, int], caplog: pytest.LogCaptureFixture) -> None:
    engine, most = admin_engine
    workers = most // per_worker_connections() + 1  # just over what the server accepts
    with caplog.at_level(logging.WARNING, logger="api.db_budget"):
        budget = warn_if_over_budget(engine, workers)
    assert budget is not None and not budget.fits
    assert budget.needed == workers * per_worker_connections()
    warning = caplog.records[-1].getMessage()
    assert f"{workers} workers may open up to {budget.needed}" in warning
    assert "max_connections" in warning


def test_one_worker_fits_a_default_server_and_is_not_warned_about(
        admin_engine: tuple[Engine, int], caplog: pytest.LogCaptureFixture) -> None:
    engine, most = admin_engine
    if most < per_worker_connections() + 3:
        pytest.skip(f"this server accepts only {most} connections")
    with caplog.at_level(logging.WARNING, logger="api.db_budget"):
        budget = warn_if_over_budget(engine, 1)
    assert budget is not None and budget.fits
    assert not caplog.records


def test_a_database_that_cannot_say_does_not_stop_the_start(
        caplog: pytest.LogCaptureFixture) -> None:
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                                connect_args={"connect_timeout": 1})
    assert warn_if_over_budget(unreachable, 4) is None


def test_the_pool_settings_size_each_workers_engine_and_its_budget(
        admin_engine: tuple[Engine, int], caplog: pytest.LogCaptureFixture) -> None:
    """With smaller pools more workers fit the same server, and the warning counts them."""
    settings = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
                        db_pool_size=3, db_pool_overflow=5)
    pool = settings.db_pool()
    engine = make_engine(settings.database_url, pool)  # opens no connection yet
    assert (engine.pool.size(), engine.pool._max_overflow) == (3, 5)  # type: ignore[attr-defined]
    admin, most = admin_engine
    workers = most // per_worker_connections() + 1  # over budget with the default pools
    with caplog.at_level(logging.WARNING, logger="api.db_budget"):
        small = warn_if_over_budget(admin, workers, pool)
    assert small is not None
    assert small.per_worker == per_worker_connections(pool) < per_worker_connections()
    assert small.needed == workers * small.per_worker
    assert small.fits and not caplog.records
    with caplog.at_level(logging.WARNING, logger="api.db_budget"):
        over = warn_if_over_budget(admin, most // per_worker_connections(pool) + 1, pool)
    assert over is not None and not over.fits
    assert f"({over.per_worker} each)" in caplog.records[-1].getMessage()
    assert "TANDEM_DB_POOL_OVERFLOW" in caplog.records[-1].getMessage()


@pytest.mark.parametrize(("name", "value"), [("db_pool_size", 0), ("db_pool_overflow", -1)])
def test_a_pool_size_out_of_range_is_refused_with_its_name(name: str, value: int) -> None:
    with pytest.raises(ValidationError, match=name):
        Settings(**{name: value})
