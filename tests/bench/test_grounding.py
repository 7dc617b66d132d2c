"""The bench's grounding checks catch what a shopper would be misled by."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agent.commerce.inventory import DatabaseInventory
from bench.conversations import Check
from bench.grounding import StoreTruth, judge
from bench.text_tool_calls import with_text_tool_calls
from domain.tables import Order


@pytest.fixture
def truth(engine: Engine) -> Iterator[StoreTruth]:
    with Session(engine) as session:
        yield StoreTruth(session, DatabaseInventory(engine))


def test_a_real_in_stock_product_at_its_price_is_grounded(truth: StoreTruth) -> None:
    verdict = judge(truth, Check("products"), shopper="rain jacket under $200, size M",
                    reply="The Cascade Waterproof Rain Jacket ($139.00) is a great pick.",
                    cards=[], handed_off=False)
    assert verdict.answered and verdict.grounded, verdict


def test_an_invented_price_or_a_product_out_of_budget_is_not(truth: StoreTruth) -> None:
    wrong_price = judge(truth, Check("products"), shopper="rain jacket size M",
                        reply="The Cascade Waterproof Rain Jacket is only $49.", cards=[],
                        handed_off=False)
    assert not wrong_price.grounded
    over_budget = judge(truth, Check("products"), shopper="rain jacket under $100",
                        reply="Try the Summit Pro 3L Shell Jacket.", cards=[], handed_off=False)
    assert not over_budget.grounded
    nothing_real = judge(truth, Check("products"), shopper="rain jacket",
                         reply="Our StormMaster 3000 is perfect.", cards=[], handed_off=False)
    assert not nothing_real.answered


def test_order_status_is_checked_and_never_shown_before_proof(truth: StoreTruth) -> None:
    order = truth.session.exec(select(Order).where(Order.status == "shipped")).first()
    assert order is not None
    check = Check("order", order_id=order.id)
    assert judge(truth, check, shopper="", reply=f"Order {order.id} is on its way.",
                 cards=[], handed_off=False).grounded
    assert not judge(truth, check, shopper="", reply="Your order has been delivered.",
                     cards=[], handed_off=False).grounded
    early = judge(truth, Check("order_proof", order_id=order.id), shopper="",
                  reply="It has shipped! What's the email on it?", cards=[], handed_off=False)
    assert early.answered and not early.grounded


def test_tool_calls_written_as_text_become_tool_calls() -> None:
    names = {"search_products": ["query"], "check_stock": ["product_name", "size"]}
    text = ('<tool_call>\n{"name": "search_products", "arguments": {"query": "tent"}}\n'
            "</tool_call>")
    parsed = with_text_tool_calls(AIMessage(content=text), names)
    assert isinstance(parsed, AIMessage)
    assert [(c["name"], c["args"]) for c in parsed.tool_calls] == [
        ("search_products", {"query": "tent"})]
    plain = AIMessage(content='Say {"name": "nope"} to me')
    assert with_text_tool_calls(plain, names) is plain
    prose = AIMessage(content='You can use the `check_stock` function with the arguments '
                              '`{"product_name": "hiking boots", "size": "10"}`.')
    parsed = with_text_tool_calls(prose, names)
    assert isinstance(parsed, AIMessage)
    assert [(c["name"], c["args"]) for c in parsed.tool_calls] == [
        ("check_stock", {"product_name": "hiking boots", "size": "10"})]
