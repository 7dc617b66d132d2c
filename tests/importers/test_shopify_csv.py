"""Shopify product CSV exports: multi-row products, variant identity, options, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.importers.html_text import html_to_text
from api.importers.loader import import_store, load_store
from api.importers.quality import check_quality
from api.importers.records import DEFAULT_LOCATION_ID, MalformedFile
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


def _by_sku(session: Session) -> dict[str | None, Variant]:
    return {v.sku: v for v in session.exec(select(Variant)).all()}


def test_a_multi_row_product_becomes_one_product_with_its_variants_and_stock(
        tmp_path: Path, fresh_engine: Engine) -> None:
    path = write_csv(tmp_path / "products_export.csv", _tee_rows())
    outcome = import_store(fresh_engine, path)

    assert outcome.report.counts["products"] == 2 and outcome.report.counts["variants"] == 4
    assert outcome.report.rows == {"read": 5, "variants": 4, "without variant data": 1,
                                   "skipped": 0}
    with Session(fresh_engine) as session:
        tee = session.get(Product, "merino-tee")
        assert tee is not None and tee.name == "Merino Tee" and tee.category == "T-Shirts"
        assert tee.description == ("Soft merino tee & base layer. Odour resistant "
                                   "Made in Portugal")
        assert "alert" not in tee.description and "<" not in tee.description
        assert tee.season == "winter" and "merino" in tee.tags.split()
        assert {"mt-l-navy", "navy"} <= set(tee.tags.lower().split()), \
            "SKUs and option values are search keywords"
        variants = _by_sku(session)
        large = variants["MT-L-NAVY"]
        assert large.product_id == "merino-tee" and large.id.startswith("merino-tee-l-navy-")
        assert (large.size, large.color, large.price_cents) == ("L", "Navy", 6150)
        assert large.options == {"Size": "L", "Color": "Navy"}
        assert (large.inventory, variants["MT-S-NAVY"].inventory) == ("continue", "tracked")
        stock = {s.variant_id: s for s in session.exec(select(StockLevel)).all()}
        assert stock[variants["MT-S-NAVY"].id].quantity == 4
        assert stock[variants["MT-M-NAVY"].id].quantity == 0
        assert stock[large.id].location_id == DEFAULT_LOCATION_ID
        warehouse = session.get(Location, DEFAULT_LOCATION_ID)
        assert warehouse is not None and warehouse.name == "Online warehouse"
        card = variants["GIFT-25"]
        assert card.options == {} and card.size is None
        assert card.inventory == "untracked", "tracked, but the file holds no count"
        assert stock[card.id].quantity == 0, "sold from the import location, no count"
    assert any("keep selling when out of stock" in note for note in outcome.report.notes)
    assert any("1 variants are sold without a stock count" in note
               for note in outcome.report.notes)


def test_stock_goes_to_a_configured_location(tmp_path: Path, fresh_engine: Engine) -> None:
    path = write_csv(tmp_path / "p.csv", _tee_rows())
    store = load_store(path, location_id="PDX")
    assert store.locations == [], "a configured location is not created"
    report = check_quality(store)
    unknown = report.finding("unknown_locations")
    assert unknown is not None and unknown.blocking, "PDX is not in this empty database"
    assert check_quality(store, known_location_ids=frozenset({"PDX"})).blocking == []


def test_a_variant_is_its_product_and_options_never_its_sku(tmp_path: Path) -> None:
    rows = [product_row("trail-sock", "Trail Sock", values=("M", "Grey"), sku="TS-GREY"),
            variant_row("trail-sock", values=("L", "Grey"), sku="TS-GREY"),
            variant_row("trail-sock", values=("L", "Charcoal Grey"), sku="")]
    store = load_store(write_csv(tmp_path / "p.csv", rows))
    ids = [v.id for v in store.variants()]
    assert len(set(ids)) == 3, "one SKU on two sizes is still two variants"
    assert ids[2].startswith("trail-sock-l-charcoal-grey-") and len(ids[2]) <= 64
    assert [v.sku for v in store.variants()] == ["TS-GREY", "TS-GREY", None]
    again = load_store(write_csv(tmp_path / "q.csv", rows))
    assert [v.id for v in again.variants()] == ids, "the same export, the same ids"
    shared = check_quality(store).finding("shared_skus")
    assert shared is not None and shared.examples == [
        "SKU TS-GREY: 2 variants of 1 products (trail-sock line 2, trail-sock line 3)"]


def test_a_product_in_two_places_is_merged_and_colour_spelt_two_ways_is_reported(
        tmp_path: Path) -> None:
    rows = [product_row("rain-shell", "Rain Shell", option_names=("Size", "Colour"),
                        values=("M", "Red"), sku="RS-M", type_="Rain Jacket"),
            product_row("fleece", "Fleece", option_names=("size", "color"),
                        values=("M", "Olive"), sku="FL-M", price="", type_="rain jackets"),
            product_row("rain-shell", "Rain Shell", option_names=("Size", "Colour"),
                        values=("L", "Red"), sku="RS-L", type_="Rain Jacket")]
    store = load_store(write_csv(tmp_path / "p.csv", rows))
    assert [p.id for p in store.products] == ["rain-shell", "fleece"]
    colours = {v.sku: v.color for v in store.variants()}
    assert colours == {"RS-M": "Red", "RS-L": "Red", "FL-M": "Olive"}, \
        "Colour and color both map to the colour field"

    report = check_quality(store)
    split = report.finding("split_products")
    assert split is not None and split.examples == ["product rain-shell at line 2, line 4"]
    options = report.finding("option_names")
    assert options is not None and options.count == 2, report.render()
    assert any('"Colour" (2 x' in e and '"color" (1 x' in e for e in options.examples)
    categories = report.finding("categories")
    assert categories is not None and '"Rain Jacket"' in categories.examples[0] \
        and '"rain jackets"' in categories.examples[0]
    no_price = report.finding("variants_without_price")
    assert no_price is not None and no_price.examples[0].endswith("line 3")


def test_a_draft_product_is_imported_as_not_for_sale_or_skipped(tmp_path: Path) -> None:
    rows = [product_row("old-tee", "Old Tee", sku="OT-M", status="draft"),
            product_row("new-tee", "New Tee", sku="NT-M")]
    path = write_csv(tmp_path / "p.csv", rows)
    old, new = load_store(path).products
    assert (old.for_sale, [v.available for v in old.variants]) == (False, [False])
    assert (new.for_sale, [v.available for v in new.variants]) == (True, [True])
    skipped = load_store(path, skip_inactive=True)
    assert [p.id for p in skipped.products] == ["new-tee"]
    assert [(s.where, s.kind) for s in skipped.skipped] == [
        ("line 2", "not for sale (--skip-inactive)")]


@pytest.mark.parametrize(("rows", "line", "column", "reason"), [
    ([product_row("tee", "Tee", sku="T1", body="<p>two\nlines</p>"),
      variant_row("tee", sku="T2", price="twelve")], 4, "column 21 (Variant Price)",
     "'twelve' is not a number"),
    ([product_row("tee", "Tee", sku="T1"), variant_row("tee", sku="T2", qty="2.5")], 3,
     "Variant Inventory Qty", "not a whole number"),
    ([product_row("tee", "Tee", sku="T1"), variant_row("orphan", sku="O1")], 3, "",
     "no row has a Title"),
    ([product_row("tee", "Tee", sku="T1"), variant_row("tee", sku="T2", price="-3")], 3,
     "column 21 (Variant Price)", "negative"),
])
def test_a_bad_row_is_skipped_with_its_line_and_the_rest_imports(
        tmp_path: Path, fresh_engine: Engine, rows: list[dict[str, str]], line: int,
        column: str, reason: str) -> None:
    path = write_csv(tmp_path / "bad.csv", rows)
    outcome = import_store(fresh_engine, path)
    skipped = outcome.report.finding("skipped_rows")
    assert skipped is not None and skipped.count == 1, outcome.report.render()
    (example,) = skipped.examples
    assert example.startswith(f"line {line}") and column in example and reason in example
    with Session(fresh_engine) as session:
        assert [v.sku for v in session.exec(select(Variant)).all()] == ["T1"], \
            "the good row is imported"


def test_a_row_of_the_wrong_length_is_skipped_and_broken_quoting_stops_the_file(
        tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [product_row("tee", "Tee", sku="T1")])
    with path.open("a", encoding="utf-8") as f:
        f.write("tee,,short row\n")
    store = load_store(path)
    assert [(s.where, s.reason) for s in store.skipped] == [
        ("line 3", "3 fields, but the header has 36")]
    assert [v.sku for v in store.variants()] == ["T1"]

    with path.open("a", encoding="utf-8") as f:
        f.write('tee,"Tee,unclosed ""quote" oops\n')
    with pytest.raises(MalformedFile, match=r"line \d+: bad CSV"):
        load_store(path)

    path.write_text("Name,Price\nTee,12\n", encoding="utf-8")
    with pytest.raises(MalformedFile, match=r"line 1: not a Shopify product CSV"):
        load_store(path)


def test_html_is_reduced_to_text_without_leaking_markup() -> None:
    assert html_to_text('<p>A &lt;b&gt; "tag"</p><style>p{}</style><img src=x onerror=y>'
                        '<b>bold</b>') == 'A <b> "tag" bold'
