"""A database written by an older Tandem gets the columns added since, and keeps its rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session, select

from domain.db import engine_for
from domain.tables import Product, Variant
from tests.conftest import _postgres_database


def test_an_older_database_gains_the_new_columns_with_their_defaults(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    with old.begin() as conn:  # the shape of these tables before variants had a SKU
        conn.execute(text("CREATE TABLE product (id VARCHAR(64) PRIMARY KEY, name VARCHAR(200) "
                          "NOT NULL, category VARCHAR(80) NOT NULL, description VARCHAR NOT "
                          "NULL, tags VARCHAR NOT NULL, season VARCHAR(16) NOT NULL, "
                          "size_chart JSON)"))
        conn.execute(text("CREATE TABLE variant (id VARCHAR(64) PRIMARY KEY, product_id "
                          "VARCHAR NOT NULL REFERENCES product (id), size VARCHAR(16), color "
                          "VARCHAR(40), options JSON, price_cents INTEGER, available BOOLEAN "
                          "NOT NULL)"))
        conn.execute(text("INSERT INTO product VALUES ('tee', 'Tee', 'shirts', '', '', 'all', "
                          "NULL)"))
        conn.execute(text("INSERT INTO variant VALUES ('T-M', 'tee', 'M', NULL, '{}', 2500, 1)"))
    old.dispose()

    engine = engine_for(url)
    columns = {c["name"] for c in inspect(engine).get_columns("variant")}
    assert {"sku", "inventory"} <= columns
    assert "ix_variant_sku" in {i["name"] for i in inspect(engine).get_indexes("variant")}
    with Session(engine) as session:
        (variant,) = session.exec(select(Variant)).all()
        (product,) = session.exec(select(Product)).all()
    assert (variant.id, variant.sku, variant.inventory) == ("T-M", None, "tracked")
    assert product.for_sale is True
    engine.dispose()


def test_on_postgresql_a_raised_length_limit_widens_the_column() -> None:
    for url in _postgres_database():  # skips with the reason when PostgreSQL is not there
        old = create_engine(url)
        with old.begin() as conn:
            conn.execute(text("CREATE TABLE product (id VARCHAR(64) PRIMARY KEY, name "
                              "VARCHAR(200) NOT NULL, category VARCHAR(80) NOT NULL, "
                              "description VARCHAR NOT NULL, tags VARCHAR NOT NULL, season "
                              "VARCHAR(16) NOT NULL, size_chart JSON)"))
        old.dispose()
        engine = engine_for(url)
        lengths = {c["name"]: getattr(c["type"], "length", None)
                   for c in inspect(engine).get_columns("product")}
        assert (lengths["id"], lengths["name"], lengths["category"]) == (255, 255, 255)
        handle = "a-handle-" * 25
        with Session(engine) as session:
            session.add(Product(id=handle, name="Long", category="c"))
            session.commit()
            assert session.get(Product, handle) is not None
        engine.dispose()
