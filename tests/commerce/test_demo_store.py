"""The deterministic demo store: sizes, realism the agent depends on, and reproducibility."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select

from agent.commerce.demo_store import DemoStoreReport, build_demo_store, region_for_postcode
from api.db import make_engine, session_scope
from domain.tables import (
    ORDER_STATUSES,
    Customer,
    Location,
    Order,
    OrderItem,
    Product,
    StockLevel,
    Variant,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
REGIONS = {"US-West", "US-Mountain", "US-East", "US-South"}


def _engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    return engine


def _build(engine: Engine, seed: int = 7) -> DemoStoreReport:
    with session_scope(engine) as session:
        return build_demo_store(session, seed=seed, now=NOW)


def _dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every demo row in a canonical order; OrderItem's surrogate id is left out because
    the database, not the seed, numbers it."""
    tables: dict[str, tuple[Any, ...]] = {
        "product": (Product, Product.id), "variant": (Variant, Variant.id),
        "location": (Location, Location.id),
        "stock": (StockLevel, StockLevel.variant_id, StockLevel.location_id),
        "customer": (Customer, Customer.id), "order": (Order, Order.id),
        "item": (OrderItem, OrderItem.order_id, OrderItem.variant_id),
    }
    with Session(engine) as session:
        return {name: [row.model_dump(mode="json", exclude={"id"} if name == "item" else None)
                       for row in session.exec(select(model).order_by(*keys))]
                for name, (model, *keys) in tables.items()}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, DemoStoreReport]]:
    engine = _engine(tmp_path_factory.mktemp("demo") / "store.db")
    report = _build(engine)
    yield engine, report
    engine.dispose()


@pytest.fixture(scope="module")
def rows(store: tuple[Engine, DemoStoreReport]) -> dict[str, list[dict[str, Any]]]:
    return _dump(store[0])


def _stock_by_variant(rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    total: dict[str, int] = dict.fromkeys((v["id"] for v in rows["variant"]), 0)
    for level in rows["stock"]:
        total[level["variant_id"]] += level["quantity"]
    return total


def test_store_is_big_enough_and_report_matches_the_database(
        store: tuple[Engine, DemoStoreReport]) -> None:
    engine, report = store
    assert report.products >= 60
    assert report.customers >= 220
    assert report.orders >= 520
    assert report.locations == 4
    with Session(engine) as session:
        def count(model: type[SQLModel]) -> int:
            return session.exec(select(func.count()).select_from(model)).one()

        assert (count(Product), count(Variant), count(StockLevel), count(Customer),
                count(Order), count(OrderItem)) == (
            report.products, report.variants, report.stock_levels, report.customers,
            report.orders, report.order_items)
        statuses = dict(session.exec(select(Order.status, func.count()).group_by(Order.status))
                        .all())
    assert statuses == {s: n for s, n in report.orders_by_status.items() if n}
    assert set(statuses) == set(ORDER_STATUSES)


def test_locations_are_the_four_known_ones(rows: dict[str, list[dict[str, Any]]]) -> None:
    by_name = {loc["name"]: loc for loc in rows["location"]}
    assert set(by_name) == {"Portland store", "Denver store", "Brooklyn store", "Reno warehouse"}
    assert by_name["Reno warehouse"]["kind"] == "warehouse"
    assert by_name["Portland store"]["ship_days"] == 1
    assert {loc["region"] for loc in rows["location"]} <= REGIONS


def test_same_seed_gives_the_same_store_and_another_seed_differs(
        tmp_path: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    again = _engine(tmp_path / "again.db")
    other = _engine(tmp_path / "other.db")
    _build(again, seed=7)
    _build(other, seed=8)
    assert _dump(again) == rows
    different = _dump(other)
    for table in ("stock", "customer", "order", "item"):
        assert different[table] != rows[table], table
    # The catalogue itself is fixed; its prices are drawn from each product's range.
    assert [p["id"] for p in different["product"]] == [p["id"] for p in rows["product"]]
    assert [v["price_cents"] for v in different["variant"]] != \
        [v["price_cents"] for v in rows["variant"]]
    again.dispose()
    other.dispose()


def test_rebuilding_a_filled_database_replaces_rather_than_duplicates(
        tmp_path: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    engine = _engine(tmp_path / "rebuilt.db")
    _build(engine, seed=8)
    _build(engine, seed=7)
    report = _build(engine, seed=7)
    assert _dump(engine) == rows
    assert report.orders == len(rows["order"])
    engine.dispose()


def test_out_of_stock_cases_exist(rows: dict[str, list[dict[str, Any]]]) -> None:
    stock = _stock_by_variant(rows)
    sold_out = {vid for vid, qty in stock.items() if qty == 0}
    assert len(sold_out) >= 0.05 * len(stock)
    assert len(sold_out) < 0.5 * len(stock)  # most of the store is sellable

    by_product: dict[str, list[str]] = defaultdict(list)
    for v in rows["variant"]:
        by_product[v["product_id"]].append(v["id"])
    fully_out = [pid for pid, vids in by_product.items() if set(vids) <= sold_out]
    assert fully_out == ["RO-FTHR-1P"]

    # A waterproof jacket whose M is gone in one colour but in stock in another
    sizes_m = {v["color"]: stock[v["id"]] for v in rows["variant"]
               if v["product_id"] == "RO-CASC-JKT" and v["size"] == "M"}
    assert sizes_m["Blue"] == 0
    assert sizes_m["Green"] > 0


def test_low_stock_is_common_at_stores(rows: dict[str, list[dict[str, Any]]]) -> None:
    store_levels = [s["quantity"] for s in rows["stock"] if s["location_id"] != "RNO"]
    low = sum(1 <= q <= 3 for q in store_levels)
    assert low >= 0.2 * len(store_levels)


def test_waterproof_hiking_jackets_span_200_dollars(rows: dict[str, list[dict[str, Any]]]) -> None:
    stock = _stock_by_variant(rows)
    prices = {v["product_id"]: v["price_cents"] for v in rows["variant"]}
    jackets = [p["id"] for p in rows["product"]
               if "waterproof" in p["tags"].split() and "jacket" in p["tags"].split()
               and "hiking" in p["tags"].split()]
    in_stock_m = {v["product_id"] for v in rows["variant"]
                  if v["size"] == "M" and stock[v["id"]] > 0}
    assert any(prices[j] < 20000 and j in in_stock_m for j in jackets)
    assert any(prices[j] > 20000 for j in jackets)


def test_variants_are_priced_and_sized(rows: dict[str, list[dict[str, Any]]]) -> None:
    products = {p["id"]: p for p in rows["product"]}
    for v in rows["variant"]:
        assert v["price_cents"] and v["price_cents"] > 0, v["id"]
        assert v["product_id"] in products
        assert v["id"].startswith(v["product_id"] + "-")
        assert v["options"] == {"size": v["size"], "color": v["color"]}
    assert len({v["id"] for v in rows["variant"]}) == len(rows["variant"])
    for p in rows["product"]:
        assert p["season"] in {"winter", "summer", "all"}
        assert p["description"] and p["tags"]
    # apparel and footwear carry size charts; some say how they fit
    boot = products["RO-TRLH-BT"]["size_chart"]
    assert boot["unit"] == "cm" and boot["sizes"]["9.5"][0] > boot["sizes"]["9"][1]
    assert products["RO-CASC-JKT"]["size_chart"]["sizes"]["M"] == [38, 40]
    fits = {p["size_chart"].get("fit") for p in rows["product"] if p["size_chart"]}
    assert {"runs small", "true to size", "runs large"} <= fits


def test_some_footwear_has_half_sizes(rows: dict[str, list[dict[str, Any]]]) -> None:
    footwear = {p["id"] for p in rows["product"]
                if p["category"] in {"hiking boots", "trail running shoes", "sandals"}}
    sizes: dict[str, set[str]] = defaultdict(set)
    for v in rows["variant"]:
        if v["product_id"] in footwear:
            sizes[v["product_id"]].add(v["size"])
    with_halves = {pid for pid, s in sizes.items() if any(x.endswith(".5") for x in s)}
    assert with_halves and with_halves != set(sizes)  # some products, not all
    assert {"9", "9.5", "10"} <= sizes["RO-TRLH-BT"]


def test_customers_look_real(rows: dict[str, list[dict[str, Any]]]) -> None:
    emails = [c["email"] for c in rows["customer"]]
    assert len(set(emails)) == len(emails)
    for c in rows["customer"]:
        assert c["email"] == c["email"].strip().lower()
        assert c["email"].endswith(("@example.com", "@example.org"))
        assert len(c["postcode"]) == 5 and c["postcode"].isdigit()
        assert c["region"] == region_for_postcode(c["postcode"])
    assert {c["region"] for c in rows["customer"]} == REGIONS


@pytest.mark.parametrize(("postcode", "region"), [
    ("97211", "US-West"), ("10001", "US-East"), ("02139", "US-East"), ("80202", "US-Mountain"),
    ("30301", "US-South"), ("75201", "US-South"),
])
def test_region_for_postcode(postcode: str, region: str) -> None:
    assert region_for_postcode(postcode) == region


def test_orders_are_consistent(rows: dict[str, list[dict[str, Any]]]) -> None:
    variants = {v["id"]: v for v in rows["variant"]}
    names = {p["id"]: p["name"] for p in rows["product"]}
    customers = {c["id"]: c for c in rows["customer"]}
    items: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in rows["item"]:
        variant = variants[item["variant_id"]]  # KeyError if it points nowhere
        assert item["price_cents"] == variant["price_cents"]
        assert item["product_name"] == names[variant["product_id"]]
        items[item["order_id"]].append(item)
    for order in rows["order"]:
        lines = items[order["id"]]
        assert 1 <= len(lines) <= 4, order["id"]
        assert order["total_cents"] == sum(i["price_cents"] * i["quantity"] for i in lines)
        customer = customers[order["customer_id"]]
        assert (order["email"], order["postcode"]) == (customer["email"], customer["postcode"])
        assert order["id"].startswith("#R") and order["id"][2:].isdigit()


def test_order_dates_and_tracking_follow_status(rows: dict[str, list[dict[str, Any]]]) -> None:
    today = NOW.date()
    for order in rows["order"]:
        created = datetime.fromisoformat(order["created_at"])
        created = created if created.tzinfo else created.replace(tzinfo=UTC)
        assert NOW - timedelta(days=120) <= created <= NOW
        status = order["status"]
        tracked = status in {"shipped", "delivered", "return_requested"}
        assert bool(order["carrier"] and order["tracking_number"]) == tracked, order["id"]
        expected = order["expected_delivery"]
        if status in {"pending", "processed", "shipped"}:
            assert expected is not None and datetime.fromisoformat(expected).date() > today
        elif status == "delivered":
            arrived = datetime.fromisoformat(expected).date()
            assert created.date() < arrived <= today
        elif status == "cancelled":
            assert expected is None


def test_regulars_reorder_in_one_category_and_size(
        store: tuple[Engine, DemoStoreReport], rows: dict[str, list[dict[str, Any]]]) -> None:
    regulars = store[1].regular_customer_ids
    assert len(regulars) >= 3
    variants = {v["id"]: v for v in rows["variant"]}
    categories = {p["id"]: p["category"] for p in rows["product"]}
    owner = {o["id"]: o["customer_id"] for o in rows["order"]}
    for customer_id in regulars:
        bought: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        for item in rows["item"]:
            if owner[item["order_id"]] == customer_id:
                v = variants[item["variant_id"]]
                bought[categories[v["product_id"]]].append((item["order_id"], v["size"]))
        category, lines = max(bought.items(), key=lambda kv: len({o for o, _ in kv[1]}))
        assert len({o for o, _ in lines}) >= 5, (customer_id, category)
        assert len({size for _, size in lines}) == 1, (customer_id, category)
