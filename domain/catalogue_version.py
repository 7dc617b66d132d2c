"""The catalogue's version number: raised in the same transaction as any change to a
product, a variant or a product's search vector, so a process that keeps the catalogue in
memory (agent/commerce/snapshot.py) knows, with one primary-key read, whether its copy is
still the database's, whichever process or worker wrote the change.

ORM writes are seen in `before_flush` (the importers, the demo store, semantic indexing,
tests that edit a variant); ORM-enabled bulk `update()`/`delete()` statements in
`do_orm_execute`.  Raw SQL that edits those tables bypasses it: call `bump` after it.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, col, select

from domain.tables import CatalogueVersion, Product, ProductVector, Variant

TRACKED = (Product, Variant, ProductVector)
CHANGED_KEY = "catalogue_changed"
"""In `session.info` while the session's transaction has changed the catalogue: what it
reads then is not yet everyone's catalogue, and must not be kept for others."""


SEEN_KEY = "catalogue_version_seen"


def current(session: Session) -> int:
    """The version, read once per transaction (a turn's node asks up to four times)."""
    seen = session.info.get(SEEN_KEY)
    if seen is not None and not session.info.get(CHANGED_KEY) and not (
            session.new or session.dirty or session.deleted):
        return int(seen)
    row = session.exec(select(CatalogueVersion.version)
                       .where(col(CatalogueVersion.id) == 1)).first()
    session.info[SEEN_KEY] = int(row or 0)
    return int(row or 0)


def bump(session: Session) -> None:
    """Raise the version in the session's transaction (an upsert: the row may not exist)."""
    table: Any = CatalogueVersion.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(id=1, version=1).on_conflict_do_update(
        index_elements=[table.c.id], set_={"version": table.c.version + 1})
    session.execute(statement)
    session.info[CHANGED_KEY] = True


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(o, TRACKED) for o in chain(session.new, session.deleted)) or any(
            isinstance(o, TRACKED) and session.is_modified(o) for o in session.dirty):
        bump(session)


@event.listens_for(Session, "do_orm_execute")
def _on_bulk(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
            m.class_ in TRACKED for m in state.all_mappers):
        bump(state.session)  # type: ignore[arg-type]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(CHANGED_KEY, None)
    session.info.pop(SEEN_KEY, None)
