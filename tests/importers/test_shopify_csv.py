"""Shopify product CSV exports: multi-row products, options, missing SKUs, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.importers.loader import import_store, load_store
from api.importers.quality import check_quality
from api.importers.shopify_csv import html_to_text
from api.importers.writer import DEFAULT_LOCATION_ID, MalformedFile
from domain.tables import Location, Product, StockLevel, Variant
from tests.importers.shopify_files import image_row, product_row, variant_row, write_csv

BODY = ('<p>Soft <strong>merino</strong> tee &amp; base layer.</p>'
        '<script>alert("x")</script><ul><li>Odour resistant</li><li>Made in\nPortugal</li></ul>')


def _tee_rows() -> list[dict[str, str]]:
    return [
        product_row("merino-tee", "Merino Tee", values=("S", "Navy"), sku="MT-S-NAVY",
                    price="59.00", qty="4", body=BODY, tags="Merino, Base Layer, winter"),
        variant_row("merino-tee", values=("M", "Navy"), sku="MT-M-NAVY", price="59.00", qty="0"),
        variant_row("merino-tee", values=("L", "Navy"), sku="MT-L-NAVY", price="61.50",
                    qty="12", policy="continue"),
        image_row("merino-tee", 2),
        product_row("gift-card", "Gift Card", option_names=("Title",),
                    values=("Default Title",), sku="GIFT-25", type_="Gift Cards",
                    qty=""),
    ]


def test_a_multi_row_product_becomes_one_product_with_its_variants_and_stock(
        tmp_path: Path, fresh_engine: Engine) -> None:
    path = write_csv(tmp_path / "products_export.csv", _tee_rows())
    outcome = import_store(fresh_engine, path)

    assert outcome.report.counts["products"] == 2 and outcome.report.counts["variants"] == 4
    with Session(fresh_engine) as session:
        tee = session.get(Product, "merino-tee")
        assert tee is not None and tee.name == "Merino Tee" and tee.category == "T-Shirts"
        assert tee.description == ("Soft merino tee & base layer. Odour resistant "
                                   "Made in Portugal")
        assert "alert" not in tee.description and "<" not in tee.description
        assert tee.season == "winter" and "merino" in tee.tags.split()
        large = session.get(Variant, "MT-L-NAVY")
        assert large is not None and large.product_id == "merino-tee"
        assert (large.size, large.color, large.price_cents) == ("L", "Navy", 6150)
        assert large.options == {"Size": "L", "Color": "Navy"}
        stock = {s.variant_id: s for s in session.exec(select(StockLevel)).all()}
        assert stock["MT-S-NAVY"].quantity == 4 and stock["MT-M-NAVY"].quantity == 0
        assert stock["MT-L-NAVY"].location_id == DEFAULT_LOCATION_ID
        warehouse = session.get(Location, DEFAULT_LOCATION_ID)
        assert warehouse is not None and warehouse.name == "Online warehouse"
        card = session.get(Variant, "GIFT-25")
        assert card is not None and card.options == {} and card.size is None
        assert "GIFT-25" not in stock, "no Variant Inventory Qty means no stock row"
    assert any("policy 'continue'" in note for note in outcome.report.notes)


def test_stock_goes_to_a_configured_location(tmp_path: Path, fresh_engine: Engine) -> None:
    path = write_csv(tmp_path / "p.csv", _tee_rows())
    store = load_store(path, location_id="PDX")
    assert store.locations == [], "a configured location is not created"
    report = check_quality(store)
    unknown = report.finding("unknown_locations")
    assert unknown is not None and unknown.blocking, "PDX is not in this empty database"
    assert check_quality(store, known_location_ids=frozenset({"PDX"})).blocking == []


def test_a_variant_without_sku_gets_an_id_from_handle_and_options_and_is_reported(
        tmp_path: Path) -> None:
    rows = [product_row("trail-sock", "Trail Sock", values=("M", "Grey"), sku="TS-M"),
            variant_row("trail-sock", values=("L", "Charcoal Grey"), sku="")]
    store = load_store(write_csv(tmp_path / "p.csv", rows))
    ids = [v.id for v in store.variants()]
    assert ids == ["TS-M", "trail-sock-l-charcoal-grey"]
    assert any("no Variant SKU" in n and "trail-sock-l-charcoal-grey (line 3)" in n
               for n in check_quality(store).notes)


def test_a_duplicate_handle_and_colour_spelt_two_ways_are_reported(tmp_path: Path) -> None:
    rows = [product_row("rain-shell", "Rain Shell", option_names=("Size", "Colour"),
                        values=("M", "Red"), sku="RS-M", type_="Rain Jacket"),
            product_row("fleece", "Fleece", option_names=("size", "color"),
                        values=("M", "Olive"), sku="FL-M", price="", type_="rain jackets"),
            product_row("rain-shell", "Rain Shell", option_names=("Size", "Colour"),
                        values=("L", "Red"), sku="RS-L", type_="Rain Jacket")]
    store = load_store(write_csv(tmp_path / "p.csv", rows))
    colours = {v.id: v.color for v in store.variants()}
    assert colours == {"RS-M": "Red", "FL-M": "Olive", "RS-L": "Red"}, \
        "Colour and color both map to the colour field"

    report = check_quality(store)
    duplicate = report.finding("duplicate_products")
    assert duplicate is not None and duplicate.examples == [
        "product rain-shell at line 2, line 4"]
    options = report.finding("option_names")
    assert options is not None and options.count == 2, options.examples
    assert '"Colour" (2 x, e.g. variant RS-M) vs "color" (1 x, e.g. variant FL-M)' \
        in options.examples
    categories = report.finding("categories")
    assert categories is not None and '"Rain Jacket"' in categories.examples[0] \
        and '"rain jackets"' in categories.examples[0]
    no_price = report.finding("variants_without_price")
    assert no_price is not None and no_price.examples == ["variant FL-M line 3"]


def test_a_draft_product_is_imported_as_not_available(tmp_path: Path) -> None:
    rows = [product_row("old-tee", "Old Tee", sku="OT-M", status="draft")]
    (variant,) = load_store(write_csv(tmp_path / "p.csv", rows)).variants()
    assert variant.available is False


@pytest.mark.parametrize(("rows", "line", "column", "reason"), [
    ([product_row("tee", "Tee", sku="T1", body="<p>two\nlines</p>"),
      variant_row("tee", sku="T2", price="twelve")], 4, "column 21 (Variant Price)",
     "'twelve' is not a number"),
    ([product_row("tee", "Tee", sku="T1"), variant_row("tee", sku="T2", qty="2.5")], 3,
     "column 18 (Variant Inventory Qty)", "not a whole number"),
    ([variant_row("orphan", sku="O1")], 2, "column 2 (Title)", "no row above starts it"),
    ([product_row("tee", "Tee", sku="T1", price="-3")], 2, "column 21 (Variant Price)",
     "negative"),
])
def test_a_bad_row_is_rejected_with_its_line_and_column(
        tmp_path: Path, fresh_engine: Engine, rows: list[dict[str, str]], line: int,
        column: str, reason: str) -> None:
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(MalformedFile) as caught:
        import_store(fresh_engine, path)
    message = str(caught.value)
    assert f"line {line}, {column}" in message and reason in message, message
    with Session(fresh_engine) as session:
        assert session.exec(select(Product)).all() == [], "nothing half-written"


def test_broken_csv_structure_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [product_row("tee", "Tee", sku="T1")])
    with path.open("a", encoding="utf-8") as f:
        f.write("tee,,short row\n")
    with pytest.raises(MalformedFile, match=r"line 3: 3 fields, but the header has 36"):
        load_store(path)

    path.write_text("Name,Price\nTee,12\n", encoding="utf-8")
    with pytest.raises(MalformedFile, match=r"line 1: not a Shopify product CSV"):
        load_store(path)


def test_html_is_reduced_to_text_without_leaking_markup() -> None:
    assert html_to_text('<p>A &lt;b&gt; "tag"</p><style>p{}</style><img src=x onerror=y>'
                        '<b>bold</b>') == 'A <b> "tag" bold'
