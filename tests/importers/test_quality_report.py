"""The data-quality report: what it finds, what it counts, and that it blocks bad writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from api.importers.loader import CannotImport, import_store
from api.importers.quality import QualityReport, check_quality, spelling_key
from api.importers.records import (
    CustomerRecord,
    OrderLine,
    OrderRecord,
    ProductRecord,
    StoreData,
    VariantRecord,
)
from domain.tables import Product


def _messy_store() -> StoreData:
    boots = ProductRecord(id="boot", name="Ridge Boot", category="Hiking Boots", variants=[
        VariantRecord(id="boot-9", product_id="boot", size="9", price_cents=12000),
        VariantRecord(id="boot-x", product_id="boot", size=None, price_cents=12000),
        VariantRecord(id="boot-10", product_id="boot", size="10", price_cents=None)])
    socks = ProductRecord(id="sock", name="Wool Sock", category="hiking boot", variants=[
        VariantRecord(id="sock-1", product_id="sock", price_cents=1500,
                      options={"Colour": "grey"})])
    hat = ProductRecord(id="hat", name="Sun Hat", category="hats", variants=[
        VariantRecord(id="hat-1", product_id="hat", price_cents=2500, color="tan",
                      options={"color": "tan"})])
    placed = datetime(2025, 5, 1, tzinfo=UTC)
    return StoreData(
        format="json", path=Path("messy.json"), products=[boots, socks, hat],
        customers=[CustomerRecord(id="c1", email="Ann@Example.com"),
                   CustomerRecord(id="c2", email=" ann@example.com")],
        orders=[OrderRecord(id="#R100001", customer_id="c1", status="delivered",
                            created_at=placed, email="ann@example.com",
                            items=[OrderLine(variant_id="boot-9"),
                                   OrderLine(variant_id="gone-1")])])


def test_the_report_names_every_kind_of_problem_with_examples() -> None:
    report = check_quality(_messy_store())
    expected = {
        "duplicate_emails": ["email ann@example.com at c1, c2"],
        "variants_without_size": ["variant boot-x of product boot"],
        "variants_without_price": ["variant boot-10"],
        "unknown_order_items": ["order #R100001 item gone-1"],
        "option_names": ['"Colour" (1 x, e.g. variant sock-1) vs '
                         '"color" (1 x, e.g. variant hat-1)'],
        "categories": ['"Hiking Boots" (1 x, e.g. product boot) vs '
                       '"hiking boot" (1 x, e.g. product sock)'],
    }
    assert {f.check: f.examples for f in report.findings} == expected
    assert report.blocking == []
    assert report.counts == {"locations": 0, "products": 3, "products_not_for_sale": 0,
                             "variants": 5, "unavailable_variants": 0,
                             "untracked_variants": 0, "continue_variants": 0,
                             "stock_levels": 0, "customers": 2, "orders": 1,
                             "order_items": 2, "skipped_rows": 0}


def test_the_rendered_report_reads_as_a_summary_a_person_can_act_on() -> None:
    text = check_quality(_messy_store()).render()
    assert text.startswith("Data-quality report: json store from messy.json")
    assert "3 products, 5 variants (0 not available)" in text
    assert "Orders by status: delivered 1" in text
    assert "[warning] same customer twice (same email, normalised): 1" in text
    assert "- order #R100001 item gone-1" in text


def test_ids_already_in_the_database_are_not_reported_as_unknown() -> None:
    report = check_quality(_messy_store(), known_variant_ids=frozenset({"gone-1"}))
    assert report.finding("unknown_order_items") is None


def test_a_long_list_shows_a_few_examples_and_the_full_count() -> None:
    store = _messy_store()
    store.products[0].variants += [VariantRecord(id=f"boot-np{i}", product_id="boot",
                                                 size="11") for i in range(12)]
    finding = check_quality(store).finding("variants_without_price")
    assert finding is not None and finding.count == 13
    assert "... and 8 more" in QualityReport(
        format="json", source="x", counts=store.counts(), orders_by_status={},
        findings=[finding]).render()


@pytest.mark.parametrize(("a", "b"), [("T-Shirts", "t shirt"), ("Colour", "color"),
                                      ("Accessories", "accessory"), ("Boxes", "box")])
def test_spellings_that_name_the_same_thing_share_a_key(a: str, b: str) -> None:
    assert spelling_key(a) == spelling_key(b)


def test_different_things_keep_different_keys() -> None:
    assert spelling_key("Dress") != spelling_key("Dresser")
    assert spelling_key("Glass") == "glass"


def test_blocking_findings_are_reported_and_nothing_is_written(
        tmp_path: Path, fresh_engine: Engine) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps({
        "products": [{"id": "p1", "name": "Cap", "category": "hats",
                      "variants": [{"id": "v1", "price": 10}]}],
        "orders": [{"id": "#R100001", "customer_id": "nobody", "status": "pending",
                    "created_at": "2025-01-01T00:00:00Z", "email": "x@example.com",
                    "items": [{"variant_id": "v1"}]}]}), encoding="utf-8")
    seen: list[QualityReport] = []
    with pytest.raises(CannotImport, match="orders for unknown customers"):
        import_store(fresh_engine, path, on_report=seen.append)
    assert seen and seen[0].blocking[0].examples == ["order #R100001 customer nobody"]
    with Session(fresh_engine) as session:
        assert session.exec(select(func.count()).select_from(Product)).one() == 0
