"""The whole tau-bench retail store, imported into a fresh database and then asked about
through the API: orders in every status, and items the store marks as not available."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from agent.commerce.orders import STATUS_WORDS
from api.db import engine_for
from api.importers.loader import import_store, load_store
from api.importers.quality import check_quality
from api.importers.records import DEFAULT_LOCATION_ID, MalformedFile
from api.importers.tau_bench import ASSUMED_STOCK, STATUS_MAP
from api.settings import Settings
from domain.tables import Customer, Order, OrderItem, Product, StockLevel, Variant
from tests.conftest import api_client
from tests.helpers import say, start_chat
from tests.shared_data import SHARED_DATA, shared_data

TAU = SHARED_DATA / "tau-retail"


@pytest.fixture(scope="module")
def tau_data() -> Path:
    """tau-bench's retail store; skips without it (fails in CI, which always has it)."""
    return shared_data("tau-retail", "products.json").parent


needs_tau = pytest.mark.usefixtures("tau_data")


def _tau(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TAU / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def tau_url(tau_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database holding exactly the tau-bench store (no demo store)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('tau') / 'tau.db'}"
    started = time.perf_counter()
    outcome = import_store(engine_for(url), TAU)
    seconds = time.perf_counter() - started
    assert outcome.written is not None
    # Keep the measurement visible in `pytest -rA` output and in failures.
    print(f"tau-bench import: {seconds:.2f}s\n{outcome.report.render()}")
    yield url
    engine_for(url).dispose()


@pytest.fixture(scope="module")
def tau_settings(tau_url: str) -> Settings:
    return Settings(_env_file=None, environment="test", database_url=tau_url,  # type: ignore[call-arg]
                    llm_provider="scripted", llm_timeout_s=2.0)


@needs_tau
def test_every_row_keeps_the_stores_own_id(tau_url: str) -> None:
    products, users, orders = _tau("products.json"), _tau("users.json"), _tau("orders.json")
    engine = engine_for(tau_url)
    with Session(engine) as session:
        assert set(session.exec(select(Product.id)).all()) == set(products)
        variants = {v.id: v for v in session.exec(select(Variant)).all()}
        assert set(variants) == {i for p in products.values() for i in p["variants"]}
        assert set(session.exec(select(Customer.id)).all()) == set(users)
        assert set(session.exec(select(Order.id)).all()) == set(orders)
        lines = session.exec(select(func.sum(OrderItem.quantity))).one()
        assert lines == sum(len(o["items"]) for o in orders.values())
        stock = {s.variant_id: s for s in session.exec(select(StockLevel)).all()}
    for product in products.values():
        for item_id, item in product["variants"].items():
            variant = variants[item_id]
            assert variant.product_id == product["product_id"]
            assert variant.available is item["available"]
            assert variant.price_cents == round(item["price"] * 100)
            assert variant.options == {k: str(v) for k, v in item["options"].items()}
            if item["available"]:
                level = stock[item_id]
                assert (level.location_id, level.quantity) == (DEFAULT_LOCATION_ID,
                                                               ASSUMED_STOCK)
            else:
                assert item_id not in stock, "an unavailable item must have no stock"


def _first_order(status: str) -> dict[str, Any]:
    return next(o for _, o in sorted(_tau("orders.json").items()) if o["status"] == status)


@needs_tau
async def test_order_status_through_the_api_for_every_status_in_the_store(
        tau_settings: Settings) -> None:
    users = _tau("users.json")
    statuses = sorted({o["status"] for o in _tau("orders.json").values()})
    assert set(statuses) >= {"pending", "processed", "delivered", "cancelled"}
    async with api_client(tau_settings) as client:
        for status in statuses:
            order = _first_order(status)
            email = users[order["user_id"]]["email"]
            chat = await start_chat(client)
            turn = await say(client, chat,
                             f"where is my order {order['order_id']} my email is {email}")
            text = turn["reply"]["text"]
            assert turn["intent"] == "order_status", text
            assert order["order_id"] in text, text
            assert STATUS_WORDS[STATUS_MAP[status]] in text, (status, text)
            for fulfillment in order["fulfillments"]:
                for tracking in fulfillment["tracking_id"]:
                    assert tracking in text, (status, text)
            assert "None" not in text, text

            # Someone else's email gets nothing about the order.
            other = await start_chat(client)
            probe = await say(client, other, f"where is my order {order['order_id']} "
                              "my email is someone.else@example.com")
            assert STATUS_WORDS[STATUS_MAP[status]] not in probe["reply"]["text"]


def _unavailable_colour() -> tuple[dict[str, Any], str]:
    """A product and a colour it only has in variants the store marks as not available."""
    for product in _tau("products.json").values():
        colours: dict[str, list[bool]] = {}
        for item in product["variants"].values():
            colour = item["options"].get("color")
            colours.setdefault(colour, []).append(item["available"])
        for colour, flags in colours.items():
            if colour in ("black", "blue", "red") and not any(flags) and any(
                    any(f) for f in colours.values()):
                return product, colour
    pytest.skip("the tau-bench store has no colour that is unavailable in every variant")


@needs_tau
async def test_items_the_store_marks_unavailable_are_known_but_never_suggested(
        tau_settings: Settings) -> None:
    product, colour = _unavailable_colour()
    name = product["name"].lower()
    unavailable = {i for i, v in product["variants"].items() if not v["available"]}
    async with api_client(tau_settings) as client:
        chat = await start_chat(client)
        any_colour = await say(client, chat, f"do you have a {name}?")
        ids = {(s["product_id"], s["variant_id"]) for s in any_colour["reply"]["suggestions"]}
        assert any(p == product["product_id"] for p, _ in ids), \
            f"{name} has available variants and should be suggested: {any_colour}"
        assert not {v for _, v in ids} & unavailable

        asked = await say(client, chat, f"do you have a {colour} {name}?")
        for s in asked["reply"]["suggestions"]:
            assert not (s["product_id"] == product["product_id"] and s["color"] == colour), s
            assert s["variant_id"] not in unavailable


@needs_tau
async def test_a_product_with_no_available_variant_gets_no_suggestion(
        tmp_path: Path, fresh_engine: Engine) -> None:
    # tau-bench itself has no product whose every variant is unavailable, so this store is
    # the real catalogue with one product's variants all switched off (and no customers).
    products = _tau("products.json")
    product = next(p for p in products.values() if p["name"] == "Bluetooth Speaker")
    for item in product["variants"].values():
        item["available"] = False
    (tmp_path / "products.json").write_text(json.dumps(products, indent=4), encoding="utf-8")
    for name in ("users.json", "orders.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    url = str(fresh_engine.url)
    import_store(engine_for(url), tmp_path)
    settings = Settings(_env_file=None, environment="test", database_url=url,  # type: ignore[call-arg]
                        llm_provider="scripted", llm_timeout_s=2.0)
    async with api_client(settings) as client:
        chat = await start_chat(client)
        turn = await say(client, chat, "do you have a bluetooth speaker in stock?")
    assert turn["intent"] == "discovery"
    assert all(s["product_id"] != product["product_id"]
               for s in turn["reply"]["suggestions"]), turn
    with Session(engine_for(url)) as session:
        assert session.get(Product, product["product_id"]) is not None, "still known"
        assert session.exec(select(StockLevel).where(col(StockLevel.variant_id).in_(
            list(product["variants"])))).all() == []
    engine_for(url).dispose()


@needs_tau
def test_a_dry_run_of_the_whole_store_writes_nothing(fresh_engine: Engine) -> None:
    outcome = import_store(fresh_engine, TAU, dry_run=True)
    assert outcome.written is None
    assert outcome.report.counts["orders"] == len(_tau("orders.json"))
    with Session(fresh_engine) as session:
        for model in (Product, Variant, Customer, Order, OrderItem, StockLevel):
            assert session.exec(select(func.count()).select_from(model)).one() == 0


@needs_tau
def test_the_quality_report_finds_the_ram_option_spelt_two_ways() -> None:
    finding = check_quality(load_store(TAU)).finding("option_names")
    assert finding is not None and '"RAM"' in finding.examples[0] \
        and '"ram"' in finding.examples[0]


def _tiny_tau(folder: Path, statuses: list[str]) -> Path:
    """A two-line tau-bench store: one mug, one customer, one order per status."""
    (folder / "products.json").write_text(json.dumps({"1": {
        "name": "Mug", "product_id": "1", "variants": {"11": {
            "item_id": "11", "options": {"color": "red"}, "available": True,
            "price": 9.5}}}}, indent=4), encoding="utf-8")
    (folder / "users.json").write_text(json.dumps({"ann_1": {
        "name": {"first_name": "Ann", "last_name": "Lee"}, "address": {"zip": "97201"},
        "email": "Ann@Example.com", "orders": []}}, indent=4), encoding="utf-8")
    orders = {f"#W000000{i}": {"order_id": f"#W000000{i}", "user_id": "ann_1",
                               "address": {"zip": "10001"}, "fulfillments": [],
                               "items": [{"name": "Mug", "item_id": "11", "price": 9.5}],
                               "status": status} for i, status in enumerate(statuses)}
    (folder / "orders.json").write_text("\n" + json.dumps(orders, indent=4), encoding="utf-8")
    return folder


def test_statuses_tau_bench_tools_set_map_onto_ours(tmp_path: Path) -> None:
    names = ["pending (item modified)", "return requested", "exchange requested", "processed"]
    store = load_store(_tiny_tau(tmp_path, names))
    assert [o.status for o in store.orders] == ["pending", "return_requested",
                                                "return_requested", "processed"]
    order = store.orders[0]
    assert (order.email, order.postcode) == ("ann@example.com", "10001"), \
        "the email comes from the customer, the postcode from the order's address"


def test_an_unknown_tau_status_is_rejected_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile) as caught:
        load_store(_tiny_tau(tmp_path, ["lost in space"]))
    assert caught.value.line == 3 and "lost in space" in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "orders.json"))
