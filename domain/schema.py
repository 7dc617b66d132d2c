"""Bring a database made by an older Tandem up to the tables' current shape, additively.

`create_all` makes missing tables but never touches existing ones, so a database written
before a column was added (or a length raised) would fail on the first query that reads the
new column.  This adds each missing column (with its default, so existing rows stay valid),
creates missing indexes and, on PostgreSQL, widens a VARCHAR whose limit was raised
(SQLite does not enforce lengths).  It never drops, narrows or rewrites data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel


def _default_sql(column: Column[Any], engine: Engine) -> str:
    default = column.default.arg if column.default is not None else None  # type: ignore[attr-defined]
    if default is None or callable(default):
        return ""
    if isinstance(default, bool):
        literal = ("true" if default else "false") if engine.dialect.name == "postgresql" \
            else str(int(default))
    elif isinstance(default, int | float):
        literal = str(default)
    else:
        literal = "'" + str(default).replace("'", "''") + "'"
    return f" DEFAULT {literal}"


def upgrade_schema(engine: Engine) -> list[str]:
    """Add missing columns and indexes, widen raised VARCHAR limits; the statements run."""
    done: list[str] = []
    inspector = inspect(engine)
    existing_tables = set(inspector.get_table_names())
    preparer = engine.dialect.identifier_preparer
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present = {c["name"]: c for c in inspector.get_columns(table.name)}
            for column in table.columns:
                name = preparer.quote(column.name)
                table_name = preparer.quote(table.name)
                kind = column.type.compile(dialect=engine.dialect)
                if column.name not in present:
                    # Nullable at the database level: a NOT NULL column without a default
                    # cannot be added to a table that has rows; the model still requires it.
                    default = _default_sql(column, engine)
                    statement = f"ALTER TABLE {table_name} ADD COLUMN {name} {kind}{default}"
                elif engine.dialect.name == "postgresql" and (
                        length := getattr(column.type, "length", None)) is not None:
                    # SQLModel's AutoString wraps String: its length is read through it.
                    was = getattr(present[column.name]["type"], "length", None)
                    if was is None or was >= length:
                        continue
                    statement = f"ALTER TABLE {table_name} ALTER COLUMN {name} TYPE {kind}"
                else:
                    continue
                conn.execute(text(statement))
                done.append(statement)
            indexed = {i["name"] for i in inspector.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in indexed:
                    index.create(conn)
                    done.append(f"CREATE INDEX {index.name}")
    return done
