"""Tandem's own JSON store format; merging into a database that already holds a store; and
the one-transaction promise, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from api.importers.loader import import_store, load_store
from api.importers.records import (
    CustomerRecord,
    MalformedFile,
    OrderLine,
    OrderRecord,
    ProductRecord,
    StoreData,
    VariantRecord,
)
from api.importers.writer import write_store
from domain.tables import Customer, Location, Order, OrderItem, Product, StockLevel, Variant


def _store(variant_ids: tuple[str, ...] = ("ZQ-1",)) -> dict[str, Any]:
    return {
        "locations": [{"id": "ZQLOC", "name": "Zq depot", "kind": "warehouse",
                       "region": "US-West", "ship_days": 2}],
        "products": [{"id": "zq-mug", "name": "Zq Enamel Mug", "category": "camp kitchen",
                      "tags": "mug enamel", "variants": [
                          {"id": "ZQ-1", "color": "red", "price": 14.5,
                           "stock": {"ZQLOC": 7}}]}],
        "customers": [{"id": "zq-cust", "email": " Zq.Buyer@Example.COM ",
                       "postcode": "97201"}],
        "orders": [{"id": "#Z7000001", "customer_id": "zq-cust", "status": "shipped",
                    "created_at": "2025-05-01T10:00:00Z", "email": "zq.buyer@example.com",
                    "carrier": "UPS", "tracking_number": "1ZQ",
                    "items": [{"variant_id": v, "quantity": 2} for v in variant_ids]}],
    }


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_a_json_store_is_imported_as_written(tmp_path: Path, fresh_engine: Engine) -> None:
    outcome = import_store(fresh_engine, _write(tmp_path / "store.json", _store()))
    assert outcome.report.findings == []
    with Session(fresh_engine) as session:
        variant = session.get(Variant, "ZQ-1")
        assert variant is not None and variant.price_cents == 1450 and variant.color == "red"
        level = session.get(StockLevel, ("ZQ-1", "ZQLOC"))
        assert level is not None and level.quantity == 7
        customer = session.get(Customer, "zq-cust")
        assert customer is not None and customer.email == "zq.buyer@example.com"
        order = session.get(Order, "#Z7000001")
        assert order is not None and order.total_cents == 2900 and order.status == "shipped"
        (item,) = session.exec(select(OrderItem)).all()
        assert (item.product_name, item.quantity) == ("Zq Enamel Mug", 2)


def test_invalid_json_is_rejected_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text('{\n  "products": [\n    {"id": "a",}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(MalformedFile, match=r"line 3, column 16: not valid JSON"):
        load_store(path)


def test_a_field_that_fails_validation_is_rejected_at_its_records_line(
        tmp_path: Path) -> None:
    data = _store()
    data["orders"][0]["status"] = "teleported"
    path = _write(tmp_path / "store.json", data)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), start=1)
                if '"#Z7000001"' in text)
    with pytest.raises(MalformedFile) as caught:
        load_store(path)
    assert caught.value.line == line
    assert "orders.0.status" in str(caught.value) and "pending" in str(caught.value)


def _demo_variant(engine: Engine) -> str:
    with Session(engine) as session:
        variant = session.exec(select(Variant).order_by(col(Variant.id))).first()
    assert variant is not None
    return variant.id


def _remove_zq(engine: Engine) -> None:
    with Session(engine) as session:
        session.exec(delete(OrderItem).where(col(OrderItem.order_id) == "#Z7000001"))  # type: ignore[call-overload]
        for model, key in ((Order, "#Z7000001"), (Customer, "zq-cust")):
            session.exec(delete(model).where(col(model.id) == key))  # type: ignore[call-overload]
        session.exec(delete(StockLevel).where(col(StockLevel.variant_id) == "ZQ-1"))  # type: ignore[call-overload]
        for model, key in ((Variant, "ZQ-1"), (Product, "zq-mug"), (Location, "ZQLOC")):
            session.exec(delete(model).where(col(model.id) == key))  # type: ignore[call-overload]
        session.commit()


def test_importing_into_the_demo_store_merges_by_id(tmp_path: Path, engine: Engine) -> None:
    demo_variant = _demo_variant(engine)
    path = _write(tmp_path / "store.json", _store(("ZQ-1", demo_variant)))
    with Session(engine) as session:
        products_before = session.exec(select(func.count()).select_from(Product)).one()
    try:
        first = import_store(engine, path)
        # The demo variant is already in the database, so the order does not point at an
        # unknown item.
        assert first.report.finding("unknown_order_items") is None
        assert first.written is not None and first.written.added["products"] == 1

        again = import_store(engine, path)
        assert again.written is not None
        assert again.written.added["products"] == 0 and again.written.updated["products"] == 0
        assert again.written.unchanged["products"] == 1, "the same file changes nothing"
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(Product)).one() \
                == products_before + 1
            items = session.exec(select(OrderItem)
                                 .where(col(OrderItem.order_id) == "#Z7000001")).all()
            assert sorted(i.variant_id for i in items) == sorted(["ZQ-1", demo_variant]), \
                "a re-imported order replaces its items instead of doubling them"
    finally:
        _remove_zq(engine)


def test_a_failure_in_the_middle_of_the_write_leaves_the_database_unchanged(
        engine: Engine) -> None:
    # The quality check blocks an order for an unknown customer before writing; here the
    # writer is called directly, so the database's own foreign key fails half-way, after
    # the product, variant and customer rows have been flushed.
    store = StoreData(format="json", path=Path("inline"), products=[ProductRecord(
        id="zq-mug", name="Zq Enamel Mug", category="camp kitchen",
        variants=[VariantRecord(id="ZQ-1", product_id="zq-mug", price_cents=1450)])],
        customers=[CustomerRecord(id="zq-cust", email="zq@example.com")],
        orders=[OrderRecord(id="#Z7000001", customer_id="nobody-at-all", status="pending",
                            created_at=datetime.now(UTC), email="zq@example.com",
                            items=[OrderLine(variant_id="ZQ-1")])])
    try:
        with pytest.raises(IntegrityError):
            write_store(engine, store)
        with Session(engine) as session:
            assert session.get(Product, "zq-mug") is None
            assert session.get(Variant, "ZQ-1") is None
            assert session.get(Customer, "zq-cust") is None
            assert session.get(Order, "#Z7000001") is None
    finally:
        _remove_zq(engine)
