"""Erasure: a shopper's data deleted (or, for the store's orders, anonymised) everywhere.

Rows are deleted with everything that points at them, found through the tables' foreign
keys, so a table added later (notes, flags, contacts) is erased too without touching this
module; tables keyed by the customer id without a foreign key (stored preferences, fit
feedback) are named here.

Order matters, because the rows are how anything finds the checkpoints: the graph's
checkpoints go first, then the rows, then the checkpoints once more (a turn may have
written one in between).  If the first step fails nothing is erased yet and the shopper can
retry; rows never go while their checkpoints stay.  A turn still running when its
conversation goes drops what it wrote when it finds the conversation gone: its checkpoint
and the stored preferences it wrote to (`undo_late_writes`).  `tandem purge` also deletes
checkpoints whose conversation no longer exists (`orphan_thread_ids`), left by anything
older.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import Column, Table, column, delete, inspect, select, table, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col

from api.models import Conversation
from domain.tables import Customer, FitFeedback, Order, ShopperProfile

log = logging.getLogger(__name__)
ERASED_CUSTOMER_ID = "ERASED"
"""Anonymised orders belong to this placeholder customer: the store keeps its sales figures,
with nothing that points back at the person."""


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def delete_with_dependents(session: Session, table: Table, column: Column[object],
                           values: Sequence[object]) -> Counter[str]:
    """Delete rows of `table` whose `column` is in `values`, children first; rows per table."""
    counts: Counter[str] = Counter()
    if not values:
        return counts
    for child in SQLModel.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is table and child is not table:
                keys = [row[0] for row in session.execute(
                    select(fk.column).where(column.in_(values))).all()]
                counts += delete_with_dependents(session, child, fk.parent, keys)
    result = session.execute(delete(table).where(column.in_(values)))
    counts[table.name] += result.rowcount or 0  # type: ignore[attr-defined]
    return counts


def erase_conversations(session: Session, conversation_ids: Sequence[str]) -> Counter[str]:
    """Delete conversations with their messages, handoffs (and cached summaries), consent
    events and anything else that refers to them.  Checkpoints: `forget_threads`."""
    table = _table(Conversation)
    return delete_with_dependents(session, table, table.c.id, list(conversation_ids))


async def forget_threads(checkpointer: BaseCheckpointSaver[str] | None,
                         thread_ids: Iterable[str]) -> int:
    """Delete the graph's checkpoints of these conversations; returns how many threads."""
    if checkpointer is None:
        return 0
    count = 0
    for thread_id in thread_ids:
        await checkpointer.adelete_thread(thread_id)
        count += 1
    return count


def erase_customer(session: Session, customer_id: str) -> tuple[list[str], Counter[str]]:
    """Everything held about a customer: conversations, stored preferences and the customer
    row deleted; their orders kept for the store's books but unlinked from them (email,
    postcode and customer cleared).  Returns the erased conversation ids and counts."""
    ids = customer_conversation_ids(session, customer_id)
    counts = erase_conversations(session, ids)
    for model in (ShopperProfile, FitFeedback):  # keyed by customer id, no foreign key
        rows = _table(model)
        counts += delete_with_dependents(session, rows, rows.c.customer_id, [customer_id])
    if session.get(Customer, ERASED_CUSTOMER_ID) is None:
        session.add(Customer(id=ERASED_CUSTOMER_ID, email="", name="(erased customers)"))
        session.flush()
    result = session.execute(update(_table(Order)).where(
        col(Order.customer_id) == customer_id).values(
        customer_id=ERASED_CUSTOMER_ID, email="", postcode=""))
    counts["shop_order (anonymised)"] += result.rowcount or 0  # type: ignore[attr-defined]
    customer = _table(Customer)
    counts += delete_with_dependents(session, customer, customer.c.id, [customer_id])
    return ids, counts


def customer_conversation_ids(session: Session, customer_id: str) -> list[str]:
    return list(session.execute(select(col(Conversation.id)).where(
        col(Conversation.customer_id) == customer_id)).scalars())


def undo_late_writes(engine: Engine, *, customer_id: str | None, wrote_profile: bool) -> None:
    """A turn found its conversation erased under it: drop the stored preferences it wrote
    to, so the erasure is not undone.  (The whole profile: when only this conversation was
    erased, a preference too many gone is the safe side.)"""
    if customer_id is None or not wrote_profile:
        return
    with Session(engine) as session:
        profile = _table(ShopperProfile)
        delete_with_dependents(session, profile, profile.c.customer_id, [customer_id])
        session.commit()


_CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes", "writes")
"""Where LangGraph's SQLite and PostgreSQL savers keep threads (each has some of these)."""


def orphan_thread_ids(engine: Engine) -> list[str]:
    """Checkpoint threads whose conversation row no longer exists."""
    present = set(inspect(engine).get_table_names())
    threads: set[str] = set()
    with engine.connect() as connection:
        for name in _CHECKPOINT_TABLES:
            if name in present:
                saved = table(name, column("thread_id"))
                threads |= set(connection.execute(
                    select(saved.c.thread_id).distinct()).scalars())
        if not threads:
            return []
        known = set(connection.execute(select(col(Conversation.id)).where(
            col(Conversation.id).in_(threads))).scalars())
    return sorted(threads - known)


def stale_conversation_ids(session: Session, *, idle_since: datetime) -> list[str]:
    """Conversations with no activity since `idle_since` (the retention cut-off)."""
    return list(session.execute(select(col(Conversation.id)).where(
        col(Conversation.updated_at) < idle_since).order_by(col(Conversation.updated_at))
    ).scalars())
