"""Stock as the store keeps it: tracked counts, untracked (no count, always sellable) and
"continue selling when out of stock", through the database and the HTTP adapter."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from agent.commerce.inventory import DatabaseInventory, StockAt, soonest_source, stock_note
from agent.commerce.inventory_http import HttpInventory
from api.db import make_engine, session_scope
from domain.tables import InventoryMode, Location, Product, StockLevel, Variant


def _at(quantity: int, inventory: InventoryMode = "tracked", *, days: int = 2,
        name: str = "Depot") -> StockAt:
    return StockAt(location_id=name.upper(), location_name=name, region="US-West",
                   kind="warehouse", quantity=quantity, ship_days=days, inventory=inventory)


@pytest.mark.parametrize(("source", "note"), [
    (_at(2), "2 left at Depot, delivered in about 2 days"),
    (_at(9), "In stock at Depot, delivered in about 2 days"),
    (_at(0, "untracked"), "Available from Depot, delivered in about 2 days"),
    (_at(2, "continue"), "In stock at Depot, delivered in about 2 days"),
    (_at(0, "continue"), "Available to order from Depot; out of stock now, so delivery may "
                         "take longer"),
])
def test_the_badge_states_a_count_only_when_the_store_keeps_one(source: StockAt,
                                                                  note: str) -> None:
    assert stock_note(source, "US-West") == note


def test_a_location_with_the_item_on_hand_beats_a_sooner_one_selling_on_backorder() -> None:
    backorder = _at(0, "continue", days=1, name="Near")
    on_hand = _at(4, "continue", days=3, name="Far")
    assert soonest_source([backorder, on_hand], "US-West") == on_hand


@pytest.fixture
def store(tmp_path: Any) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'stock.db'}")
    SQLModel.metadata.create_all(engine)
    with session_scope(engine) as session:
        session.add(Location(id="WH", name="Warehouse", kind="warehouse", region="US"))
        session.add(Product(id="p", name="Pillow Cover", category="decor"))
        session.flush()
        for vid, mode, quantity, available in (
                ("counted", "tracked", 5, True), ("sold-out", "tracked", 0, True),
                ("untracked", "untracked", 0, True), ("backorder", "continue", 0, True),
                ("withdrawn", "untracked", 0, False), ("hidden", "tracked", 8, False)):
            session.add(Variant(id=vid, product_id="p", price_cents=2400, inventory=mode,
                                available=available))
            session.flush()
            session.add(StockLevel(variant_id=vid, location_id="WH", quantity=quantity))
    yield engine
    engine.dispose()


def test_the_database_sells_untracked_and_continue_variants_and_never_unavailable_ones(
        store: Engine) -> None:
    ids = ["counted", "sold-out", "untracked", "backorder", "withdrawn", "hidden"]
    stock = DatabaseInventory(store).stock_for(ids)
    sellable = {vid: [(s.quantity, s.inventory) for s in levels]
                for vid, levels in stock.items() if levels}
    assert sellable == {"counted": [(5, "tracked")], "untracked": [(0, "untracked")],
                        "backorder": [(0, "continue")]}


class _Answer(BaseHTTPRequestHandler):
    """A retailer's inventory API that keeps no count for some variants."""

    levels: ClassVar[dict[str, list[dict[str, Any]]]] = {}

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        payload = json.dumps({"stock": self.levels}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_http_adapter_keeps_uncounted_levels_and_drops_empty_counted_ones() -> None:
    level = {"location_id": "WH", "location_name": "Warehouse", "region": "US",
             "kind": "warehouse", "ship_days": 2}
    _Answer.levels = {"a": [level | {"quantity": 0, "inventory": "untracked"}],
                      "b": [level | {"quantity": 0}],
                      "c": [level | {"quantity": 0, "inventory": "continue"}]}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    inventory = HttpInventory(f"http://127.0.0.1:{server.server_address[1]}")
    try:
        stock = inventory.stock_for(["a", "b", "c"])
    finally:
        inventory.close()
        server.shutdown()
        server.server_close()
    assert {vid: [s.inventory for s in levels] for vid, levels in stock.items()} == {
        "a": ["untracked"], "b": [], "c": ["continue"]}
