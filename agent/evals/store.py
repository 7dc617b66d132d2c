"""The store a suite runs against: built once per run into SQLite, copied per case that
changes data, so every case starts from the same shelves."""

from __future__ import annotations

import importlib
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlmodel import Session, col, select

from agent.commerce.demo_store import build_demo_store
from agent.evals.suite import CaseSetup, StoreFixture
from api.db import engine_for, session_scope
from api.models import Customer, StockLevel
from api.settings import PROJECT_ROOT

TAU_IMPORTER = "api.importers.tau_bench"
TAU_FUNCTION = "load_tau_store"
DEFAULT_TAU_DATA = "../shared/data/tau-retail"


class SuiteSkipped(RuntimeError):
    """The suite cannot run here (its data or importer is absent); the message says why."""


def build_store(fixture: StoreFixture, path: Path) -> str:
    """Write the suite's store to a fresh SQLite file; return its database URL."""
    url = f"sqlite:///{path}"
    if fixture.kind == "demo":
        engine = engine_for(url)
        with session_scope(engine) as session:
            build_demo_store(session, seed=fixture.seed)
        engine.dispose()
        return url
    data = (PROJECT_ROOT / (fixture.data or DEFAULT_TAU_DATA)).resolve()
    if not data.is_dir():
        raise SuiteSkipped(f"tau-bench data not found at {data}")
    try:
        module = importlib.import_module(TAU_IMPORTER)
    except ModuleNotFoundError as exc:
        raise SuiteSkipped(f"the tau-bench importer ({TAU_IMPORTER}) is not installed") from exc
    load = getattr(module, TAU_FUNCTION, None)
    if load is None:
        raise SuiteSkipped(f"{TAU_IMPORTER} has no {TAU_FUNCTION}(directory)")
    from api.importers.store import write_store

    engine = engine_for(url)
    write_store(engine, load(data))
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
