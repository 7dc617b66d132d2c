"""A newer export of the same store: prices, stock and options update in place, nothing is
duplicated, and a variant the export dropped is retired, never deleted (orders name it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.db import session_scope
from api.importers.loader import import_store
from domain.tables import Customer, Order, OrderItem, StockLevel, Variant
from tests.importers.shopify_files import product_row, variant_row, write_csv


def _export(path: Path, *, newer: bool) -> Path:
    names = ("Size", "Colour" if newer else "Color")
    rows = [product_row("merino-tee", "Merino Tee", option_names=names, values=("S", "Navy"),
                        sku="MT-NAVY", price="55.00" if newer else "59.00", qty="4"),
            variant_row("merino-tee", values=("M", "Navy"), sku="MT-NAVY", price="59.00",
                        qty="3" if newer else "0")]
    if newer:
        rows.append(variant_row("merino-tee", values=("XL", "Navy"), sku="MT-NAVY",
                                price="61.50", qty="2"))
    else:
        rows.append(variant_row("merino-tee", values=("L", "Navy"), sku="MT-NAVY",
                                price="61.50", qty="12"))
    return write_csv(path, rows)


def _variants(engine: Engine) -> dict[str, Variant]:
    with Session(engine) as session:
        return {v.size or "": v for v in session.exec(select(Variant)).all()}


def _order_for(engine: Engine, variant_id: str) -> None:
    with session_scope(engine) as session:
        session.add(Customer(id="c1", email="ann@example.com"))
        session.flush()
        session.add(Order(id="#R1", customer_id="c1", status="delivered",
                          created_at=datetime(2025, 5, 1, tzinfo=UTC), email="ann@example.com"))
        session.flush()
        session.add(OrderItem(order_id="#R1", variant_id=variant_id, product_name="Merino Tee",
                              price_cents=6150))


def test_a_newer_export_updates_in_place_and_retires_what_it_dropped(
        tmp_path: Path, fresh_engine: Engine) -> None:
    import_store(fresh_engine, _export(tmp_path / "v1.csv", newer=False))
    first = _variants(fresh_engine)
    _order_for(fresh_engine, first["L"].id)

    newer = _export(tmp_path / "v2.csv", newer=True)
    dry = import_store(fresh_engine, newer, dry_run=True)
    retired = dry.report.finding("retired_variants")
    assert retired is not None and retired.examples == [f"variant {first['L'].id}"]
    outcome = import_store(fresh_engine, newer)
    assert outcome.written is not None and outcome.written.retired_variants == 1
    assert outcome.written.added["variants"] == 1, "only XL is new"

    now = _variants(fresh_engine)
    assert set(now) == {"S", "M", "L", "XL"}, "no duplicates; L kept for its order"
    assert now["S"].id == first["S"].id and now["M"].id == first["M"].id
    assert now["S"].price_cents == 5500
    assert now["S"].options == {"Size": "S", "Colour": "Navy"}, "renamed option, same id"
    assert (now["L"].available, now["XL"].available) == (False, True)
    with Session(fresh_engine) as session:
        stock = {s.variant_id: s.quantity for s in session.exec(select(StockLevel)).all()}
        (item,) = session.exec(select(OrderItem)).all()
    assert (stock[now["M"].id], stock[now["L"].id], stock[now["XL"].id]) == (3, 0, 2)
    assert item.variant_id == now["L"].id, "order history is untouched"

    again = import_store(fresh_engine, newer)
    assert again.written is not None and again.written.retired_variants == 0
    assert sum(again.written.updated.values()) == 0


def test_variants_keyed_by_sku_by_an_older_import_are_retired_not_doubled(
        tmp_path: Path, fresh_engine: Engine) -> None:
    import_store(fresh_engine, _export(tmp_path / "v1.csv", newer=False))
    with session_scope(fresh_engine) as session:
        # What the importer wrote before variants were keyed by product and options.
        session.add(Variant(id="MT-NAVY", product_id="merino-tee", size="S", price_cents=5900))
    outcome = import_store(fresh_engine, _export(tmp_path / "v1.csv", newer=False))
    assert outcome.written is not None and outcome.written.retired_variants == 1
    with Session(fresh_engine) as session:
        old = session.get(Variant, "MT-NAVY")
        live = session.exec(select(Variant).where(Variant.available == True)).all()  # noqa: E712
    assert old is not None and old.available is False
    assert sorted(v.size or "" for v in live) == ["L", "M", "S"]
