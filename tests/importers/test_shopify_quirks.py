"""The quirk corpus (`shopify_quirks.py`): each export imports whole, its report's counts
match the file, a second import changes nothing, and each quirk comes out as the store
meant it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from agent.commerce.inventory import DatabaseInventory, soonest_source, stock_note
from api.importers.loader import ImportOutcome, import_store, load_store
from domain.tables import Location, Product, StockLevel, Variant
from tests.importers.shopify_quirks import LONG_HANDLE, QUIRKS, Quirk

BY_NAME = {q.name: q for q in QUIRKS}


def _import(quirk: Quirk, folder: Path, engine: Engine, **options: bool) -> ImportOutcome:
    return import_store(engine, quirk.write(folder), **options)  # type: ignore[arg-type]


def _table_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {model.__name__: int(session.exec(select(func.count()).select_from(model)).one())
                for model in (Product, Variant, StockLevel, Location)}


def _variants(engine: Engine) -> list[Variant]:
    with Session(engine) as session:
        return list(session.exec(select(Variant)).all())


@pytest.mark.parametrize("quirk", QUIRKS, ids=[q.name for q in QUIRKS])
def test_each_export_imports_whole_with_counts_that_match_the_file(
        quirk: Quirk, tmp_path: Path, fresh_engine: Engine) -> None:
    outcome = _import(quirk, tmp_path, fresh_engine)
    report, counts = outcome.report, outcome.report.counts
    assert report.blocking == [], report.render()
    assert report.rows["read"] == quirk.read
    assert report.rows["read"] == (report.rows["variants"] + report.rows["without variant data"]
                                   + report.rows["skipped"]), "every row is accounted for"
    assert (counts["products"], counts["variants"]) == (quirk.products, quirk.variants)
    assert counts["untracked_variants"] == quirk.untracked
    assert counts["products_not_for_sale"] == quirk.not_for_sale
    load = load_store(tmp_path / f"{quirk.name}.csv")
    assert dict(Counter(s.kind for s in load.skipped)) == quirk.skipped
    in_db = _table_counts(fresh_engine)
    assert (in_db["Product"], in_db["Variant"]) == (quirk.products, quirk.variants)

    again = _import(quirk, tmp_path, fresh_engine)
    assert again.written is not None
    assert sum(again.written.added.values()) == sum(again.written.updated.values()) == 0, \
        again.written.render()
    assert _table_counts(fresh_engine) == in_db, "re-importing the same file changes nothing"
    assert again.report.render() == report.render()


def test_handles_up_to_255_characters_import_and_a_longer_one_is_skipped_with_its_lines(
        tmp_path: Path, fresh_engine: Engine) -> None:
    outcome = _import(BY_NAME["long_handles"], tmp_path, fresh_engine)
    with Session(fresh_engine) as session:
        trousers = session.get(Product, LONG_HANDLE)
        assert trousers is not None and len(trousers.id) > 150 and len(trousers.name) > 100
    skipped = outcome.report.finding("skipped_rows")
    assert skipped is not None
    assert [e.split(":")[0] for e in skipped.examples] == ["line 5", "line 6"]
    assert "the Handle is 305 characters; at most 255 can be stored" in skipped.examples[0]


def test_one_sku_per_colour_keeps_every_size(tmp_path: Path, fresh_engine: Engine) -> None:
    outcome = _import(BY_NAME["per_colour_skus"], tmp_path, fresh_engine)
    top = [v for v in _variants(fresh_engine) if v.product_id == "riviera-triangle-bikini-top"]
    assert {(v.color, v.size) for v in top} == {
        (c, s) for c in ("Leopard", "White Hot", "Pink Gingham", "Black")
        for s in ("XS", "S", "M", "L", "XL")}
    assert sum(v.sku == "WS231-LEO" for v in top) == 5
    shared = outcome.report.finding("shared_skus")
    assert shared is not None and shared.count == 6


def test_one_sku_on_two_products_gives_each_its_variant_and_published_false_is_not_for_sale(
        tmp_path: Path, fresh_engine: Engine) -> None:
    _import(BY_NAME["shared_skus"], tmp_path, fresh_engine)
    by_product = {v.product_id: v for v in _variants(fresh_engine)}
    assert by_product["rose-pedals-blist"].sku == by_product["pumpkin-spice-candle"].sku
    assert by_product["rose-pedals-blist"].id != by_product["pumpkin-spice-candle"].id
    with Session(fresh_engine) as session:
        rituals = session.get(Product, "rituals-candle")
        assert rituals is not None and rituals.for_sale is False
    assert by_product["rituals-candle"].available is False


def _badge(engine: Engine, variant: Variant) -> str | None:
    stock = DatabaseInventory(engine).stock_for([variant.id])[variant.id]
    source = soonest_source(stock, "US")
    return stock_note(source, "US") if source else None


def test_untracked_inventory_is_always_available_and_never_counted(
        tmp_path: Path, fresh_engine: Engine) -> None:
    _import(BY_NAME["untracked_inventory"], tmp_path, fresh_engine)
    variants = _variants(fresh_engine)
    assert {v.inventory for v in variants} == {"untracked"}
    for variant in variants:
        badge = _badge(fresh_engine, variant)
        assert badge == "Available from Online warehouse, delivered in about 3 days"


def test_a_tracked_variant_without_a_count_in_the_file_is_available_and_said_so(
        tmp_path: Path, fresh_engine: Engine) -> None:
    outcome = _import(BY_NAME["no_quantity_column"], tmp_path, fresh_engine)
    assert all(_badge(fresh_engine, v) is not None for v in _variants(fresh_engine))
    assert any("3 counted by the store but with no count in this file" in note
               for note in outcome.report.notes)


def test_continue_selling_offers_a_print_at_zero_and_a_sold_out_size_stays_out(
        tmp_path: Path, fresh_engine: Engine) -> None:
    _import(BY_NAME["continue_policy"], tmp_path, fresh_engine)
    badges = {v.size: _badge(fresh_engine, v) for v in _variants(fresh_engine)}
    assert badges == {
        "8x10": "Available to order from Online warehouse; out of stock now, so delivery "
                "may take longer",
        "11x14": "In stock at Online warehouse, delivered in about 3 days",
        "24x36": None}


def test_draft_archived_and_unlisted_are_not_for_sale_or_skipped_on_request(
        tmp_path: Path, fresh_engine: Engine) -> None:
    outcome = _import(BY_NAME["draft_archived"], tmp_path, fresh_engine)
    assert "Status: 1 active, 1 draft, 1 archived, 1 unlisted" in outcome.report.render()
    with Session(fresh_engine) as session:
        sale = {p.id: p.for_sale for p in session.exec(select(Product)).all()}
    assert sale == {"speckled-stoneware-mug": True, "enamel-camp-mug": False,
                    "copper-moscow-mule-mug": False, "ceramic-espresso-cup": False}
    sellable = [v.product_id for v in _variants(fresh_engine) if _badge(fresh_engine, v)]
    assert sellable == ["speckled-stoneware-mug"]

    store = load_store(tmp_path / "draft_archived.csv", skip_inactive=True)
    assert [p.id for p in store.products] == ["speckled-stoneware-mug"]
    assert store.rows["skipped"] == 3


def test_image_rows_are_neither_variants_nor_errors(tmp_path: Path,
                                                    fresh_engine: Engine) -> None:
    outcome = _import(BY_NAME["image_rows"], tmp_path, fresh_engine)
    assert outcome.report.rows["without variant data"] == 4
    assert sorted(v.size or "" for v in _variants(fresh_engine)) == ["Large", "Medium", "Small"]


def test_per_location_columns_give_stock_per_location(tmp_path: Path,
                                                      fresh_engine: Engine) -> None:
    _import(BY_NAME["multi_location"], tmp_path, fresh_engine)
    with Session(fresh_engine) as session:
        locations = {loc.id: loc.name for loc in session.exec(select(Location)).all()}
        levels = {(v.sku, s.location_id): s.quantity for v, s in session.exec(
            select(Variant, StockLevel).join(
                StockLevel, col(StockLevel.variant_id) == col(Variant.id)))}
    assert locations == {"BROOKLYN-STORE": "Brooklyn Store",
                         "ONLINE-WAREHOUSE": "Online Warehouse"}
    assert levels == {("HH-S", "BROOKLYN-STORE"): 2, ("HH-S", "ONLINE-WAREHOUSE"): 5,
                      ("HH-M", "ONLINE-WAREHOUSE"): 9, ("HH-L", "BROOKLYN-STORE"): 0,
                      ("HH-L", "ONLINE-WAREHOUSE"): 0}
    large = next(v for v in _variants(fresh_engine) if v.sku == "HH-L")
    assert _badge(fresh_engine, large) is None, "0 everywhere is sold out"


def test_three_options_are_kept_as_written_and_searchable(tmp_path: Path,
                                                          fresh_engine: Engine) -> None:
    _import(BY_NAME["three_options"], tmp_path, fresh_engine)
    variants = _variants(fresh_engine)
    assert len({v.id for v in variants}) == 12
    assert {"Metal": "Gold Vermeil", "Chain Length": "18 inch", "Finish": "Matte"} in [
        v.options for v in variants]
    with Session(fresh_engine) as session:
        necklace = session.get(Product, "herringbone-chain-necklace")
    assert necklace is not None
    assert {"18", "inch", "matte", "vermeil", "sterling"} <= set(necklace.tags.split())


def test_single_variant_products_have_no_options(tmp_path: Path,
                                                 fresh_engine: Engine) -> None:
    _import(BY_NAME["default_title"], tmp_path, fresh_engine)
    assert [(v.options, v.size, v.color) for v in _variants(fresh_engine)] == [
        ({}, None, None), ({}, None, None)]


def test_a_long_html_body_becomes_its_text(tmp_path: Path, fresh_engine: Engine) -> None:
    path = BY_NAME["html_bodies"].write(tmp_path)
    assert path.stat().st_size > 30_000, "tens of KB of HTML"
    import_store(fresh_engine, path)
    with Session(fresh_engine) as session:
        planter = session.get(Product, "terracotta-planter")
    assert planter is not None and len(planter.description) > 25_000
    assert planter.description.startswith("Handmade Terracotta Planter & Saucer Thrown")
    assert "“breathable”" in planter.description and 'Diameter 6"' in planter.description
    assert "<" not in planter.description and "not text" not in planter.description


def test_metafields_google_and_market_columns_and_a_gift_card_import(
        tmp_path: Path, fresh_engine: Engine) -> None:
    outcome = _import(BY_NAME["metafields_gift_card"], tmp_path, fresh_engine)
    with Session(fresh_engine) as session:
        apron = session.get(Product, "linen-chef-apron")
    assert apron is not None and {"stonewashed", "natural"} <= set(apron.tags.split())
    assert "gid" not in apron.tags
    assert not {"wash", "cold"} & set(apron.tags.split()), "only Shopify's own attributes"
    cards = [v for v in _variants(fresh_engine) if v.product_id == "studio-gift-card"]
    assert sorted(v.options["Denomination"] for v in cards) == ["$100.00", "$25.00", "$50.00"]
    assert {v.inventory for v in cards} == {"untracked"}
    assert "1 gift-card products" in outcome.report.notes


def test_the_newer_header_names_with_bom_and_crlf_read_the_same(
        tmp_path: Path, fresh_engine: Engine) -> None:
    path = BY_NAME["current_headers"].write(tmp_path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfTitle,URL handle,Description") and b"\r\n" in raw
    import_store(fresh_engine, path)
    with Session(fresh_engine) as session:
        tote = session.get(Product, "waxed-canvas-tote-bag")
    assert tote is not None
    assert tote.description == "Waxed canvas, leather handles. Water resistant."
    modes = {v.sku: (v.color, v.price_cents, v.inventory) for v in _variants(fresh_engine)}
    assert modes == {"WCT-OL": ("Olive", 7900, "tracked"),
                     "WCT-NV": ("Navy", 7900, "continue")}


def test_each_value_that_cannot_be_stored_skips_its_row_with_line_and_reason(
        tmp_path: Path, fresh_engine: Engine) -> None:
    outcome = _import(BY_NAME["bad_values"], tmp_path, fresh_engine)
    skipped = outcome.report.finding("skipped_rows")
    assert skipped is not None and skipped.examples == [
        "line 3: column 21 (Variant Price): 'twelve' is not a number",
        "line 4: column 18 (Variant Inventory Qty): 2.5 is not a whole number",
        "line 5: same product and options as line 2 (alpaca-beanie; Color: grey); the first "
        "is kept",
        "line 6: product ghost-mittens: no row has a Title, so the product has no name",
        "line 7: column 21 (Variant Price): the price -35.00 is negative"]
    assert sorted(v.sku or "" for v in _variants(fresh_engine)) == ["AB-FO", "AB-GR"]
