"""The shop a suite runs against: built once per run into SQLite, copied per case that
changes data, so every case starts from the same shelves."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlmodel import Session, col, select

from agent.commerce.demo_store import build_demo_store
from api.db import engine_for, session_scope
from api.importers.tau_bench import load_tau_store
from api.importers.writer import write_store
from domain.tables import Customer, StockLevel
from evals.suite import CaseSetup, StoreFixture

DEFAULT_TAU_DATA = "tau-retail"
"""The tau-bench retail folder, relative to the data folder (`TANDEM_DATA_DIR`)."""


class SuiteSkipped(RuntimeError):
    """The suite cannot run here (its external data is absent); the message says why."""


def build_store(fixture: StoreFixture, path: Path, *, data_dir: Path | None) -> str:
    """Write the suite's shop to a fresh SQLite file; return its database URL.  External
    data (tau-bench) is read from `data_dir` (the `TANDEM_DATA_DIR` setting)."""
    url = f"sqlite:///{path}"
    if fixture.kind == "demo":
        engine = engine_for(url)
        with session_scope(engine) as session:
            build_demo_store(session, seed=fixture.seed)
        engine.dispose()
        return url
    if data_dir is None:
        raise SuiteSkipped("the suite needs external data: set TANDEM_DATA_DIR (e.g. "
                           "../shared/data)")
    data = (data_dir / (fixture.data or DEFAULT_TAU_DATA)).resolve()
    if not data.is_dir():
        raise SuiteSkipped(f"tau-bench data not found at {data}")
    engine = engine_for(url)
    write_store(engine, load_tau_store(data))
    engine.dispose()
    return url


def copy_store(source: Path, target: Path) -> str:
    """A private copy of the pristine store for a case that changes data.

    SQLite's backup API, not a file copy: committed pages still in the write-ahead log
    would be missed by copying the main file alone."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def apply_setup(session: Session, setup: CaseSetup) -> str | None:
    """Apply the case's stock changes; return the signed-in customer's id, if any."""
    for change in setup.stock:
        levels = session.exec(select(StockLevel).where(
            col(StockLevel.variant_id) == change.variant_id)).all()
        if not levels:
            raise ValueError(f"setup.stock: no stock rows for variant {change.variant_id}")
        for level in levels:
            level.quantity = change.quantity
            session.add(level)
    if setup.customer is None:
        return None
    customer = session.exec(select(Customer).where(
        col(Customer.email) == setup.customer.strip().lower())).first()
    if customer is None:
        raise ValueError(f"setup.customer: no customer with email {setup.customer}")
    return customer.id
