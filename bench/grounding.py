"""Is an answer grounded?  Every product or order it names is checked against the store.

Two verdicts per turn:

- `answered`: the reply gives what the turn needs (a real product, the advisor's size,
  the order's true status, a request for proof, a handoff);
- `grounded`: nothing it states is false: every product it names exists and is in stock in
  the size, colour and budget asked for; every price is that product's; every size is one
  the product comes in; every order status, date and tracking number is the order's; no
  order detail before the shopper proved the order is theirs.

A product counts as named when its full name, or a two-word run of its name that no other
product shares ("stormline rain"), is in the reply; Tandem's product cards count as named.
Invented products are caught through their prices (a price no named product has) or
because nothing real is named.  These are string checks: a model could state a wrong fact
in words they do not parse, so `grounded` is an upper bound, the same for both systems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from agent.commerce.catalog import VariantView, variant_meets
from agent.commerce.fit_feedback import stored_records
from agent.commerce.inventory import InventoryService
from agent.commerce.query import parse_query
from agent.commerce.sizing import FitKnowledge, Shopper, SizeAdvice, advise, order_run
from bench.conversations import Check
from domain.tables import Order, Product, Variant

_PRICE = re.compile(r"\$\s?(\d+(?:,\d{3})*(?:\.\d{1,2})?)")
_LETTER_SIZE = re.compile(r"\b(XXS|XS|S|M|L|XL|XXL|XXXL)\b")  # case-sensitive on purpose
_SIZE_WORD = re.compile(r"\bsizes?\s+(\d+(?:\.5)?|XXS|XS|S|M|L|XL|XXL|XXXL)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.$#])\b\d+(?:\.5)?\b(?!\.\d|\d)")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_TRACKING = re.compile(r"\b[0-9A-Z]{10,}\b")
_ORDER_ID = re.compile(r"#?\bR\d{5}\b")
_SOLD_OUT = re.compile(r"sold out|out of stock|not in stock|unavailable|not available",
                       re.IGNORECASE)

# Words that state an order's status, and claims that contradict each status.
STATUS_SAYS = {
    "pending": r"pending|received|waiting to be processed|being processed",
    "processed": r"packed|about to ship|processed|preparing",
    "shipped": r"shipped|on its way|in transit|on the way",
    "delivered": r"delivered|arrived",
    "cancelled": r"cancell?ed",
    "return_requested": r"return",
}
WRONG_CLAIMS = {
    "pending": r"shipped|delivered|on its way|cancell?ed",
    "processed": r"(has|was|been) shipped|delivered|on its way|cancell?ed",
    "shipped": r"(has been|was|been|is) delivered|has arrived|cancell?ed|not (yet )?shipped",
    "delivered": r"on its way|in transit|not (yet )?(been )?delivered|cancell?ed|pending",
    "cancelled": r"shipped|delivered|on its way|in transit",
    "return_requested": r"cancell?ed|on its way|in transit",
}


@dataclass
class Verdict:
    answered: bool
    grounded: bool
    named: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"answered": self.answered, "grounded": self.grounded, "named": self.named,
                "problems": self.problems}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").lower())


class StoreTruth:
    """The store's facts the checks need, read once."""

    def __init__(self, session: Session, inventory: InventoryService) -> None:
        self.session = session
        self.products = {p.name: p for p in session.exec(select(Product)).all()}
        variants = session.exec(select(Variant)).all()
        self.variants: dict[str, list[VariantView]] = {}
        for v in variants:
            if v.available and v.price_cents is not None:
                self.variants.setdefault(v.product_id, []).append(VariantView(
                    id=v.id, product_id=v.product_id, size=v.size, color=v.color,
                    price=v.price_cents / 100))
        stock = inventory.stock_for([v.id for vs in self.variants.values() for v in vs])
        self.in_stock = {vid for vid, levels in stock.items() if levels}
        self._markers = self._name_markers()

    def _name_markers(self) -> dict[str, list[str]]:
        """Per product: its full name and the two-word runs of it no other name has."""
        bigrams: dict[str, set[str]] = {}
        for name in self.products:
            words = _norm(name).split()
            bigrams[name] = {" ".join(words[i:i + 2]) for i in range(len(words) - 1)}
        counts: dict[str, int] = {}
        for grams in bigrams.values():
            for g in grams:
                counts[g] = counts.get(g, 0) + 1
        return {name: [_norm(name), *sorted(g for g in grams if counts[g] == 1)]
                for name, grams in bigrams.items()}

    def named_products(self, text: str) -> list[str]:
        lowered = _norm(text)
        return [name for name, markers in self._markers.items()
                if any(m in lowered for m in markers)]


def _prices(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in _PRICE.findall(text)]


def _said_sold_out(truth: StoreTruth, name: str, reply: str) -> bool:
    """True when every sentence naming the product says it is sold out (an honest mention,
    not an offer)."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n", reply)
                 if name in truth.named_products(s)]
    return bool(sentences) and all(_SOLD_OUT.search(s) for s in sentences)


def check_products(truth: StoreTruth, shopper: str, reply: str, cards: list[str]) -> Verdict:
    offered = [n for n in truth.named_products(reply) if not _said_sold_out(truth, n, reply)]
    named = sorted(set(offered) | set(cards))
    query = parse_query(shopper)
    problems = []
    allowed_prices = {p for p in (query.max_price, query.min_price) if p is not None}
    for name in named:
        product = truth.products.get(name)
        if product is None:
            problems.append(f"unknown product {name!r}")
            continue
        variants = truth.variants.get(product.id, [])
        allowed_prices |= {v.price for v in variants}
        if not any(variant_meets(v, query) and v.id in truth.in_stock for v in variants):
            problems.append(f"{name} not in stock as asked")
    for price in _prices(reply):
        if not any(abs(price - p) < 0.01 for p in allowed_prices):
            problems.append(f"price ${price:g} belongs to no named product")
    return Verdict(answered=bool(named), grounded=not problems, named=named, problems=problems)


def size_advice(session: Session, product_id: str, usual: str | None
                ) -> tuple[SizeAdvice | None, list[str]]:
    """What the size advisor says for an anonymous shopper, and the product's size run (the
    same functions the size node and the baseline's tool use)."""
    product = session.get(Product, product_id)
    assert product is not None
    chart = dict(product.size_chart or {})
    sizes = chart.get("sizes")
    variants = session.exec(select(Variant).where(Variant.product_id == product_id)).all()
    run = order_run([str(s) for s in sizes] if isinstance(sizes, dict) else
                    [v.size for v in variants if v.size])
    records = stored_records(session, item_id=product.id, customer_id=None)
    advice = advise(run=run, item_id=product.id, name=product.name, chart=chart,
                    knowledge=FitKnowledge.from_records(records),
                    shopper=Shopper(usual_size=usual.upper() if usual else None,
                                    customer_id=None, measures={}))
    return advice, run


def check_sizing(truth: StoreTruth, check: Check, shopper: str, reply: str) -> Verdict:
    assert check.product is not None
    advice, run = size_advice(truth.session, truth.products[check.product].id,
                              parse_query(shopper).size)
    advised = advice.size if advice else None
    known = {s.upper() for s in run}
    claimed = set(_LETTER_SIZE.findall(reply)) | {s.upper() for s in _SIZE_WORD.findall(reply)}
    invented = sorted(s for s in claimed if s not in known)
    # A bare number ("the recommended size for you is 10") counts when the product has it.
    mentioned = claimed | {n for n in _NUMBER.findall(reply) if n in known}
    problems = [f"size {s} is not one the product comes in" for s in invented]
    others = [name for name in truth.named_products(reply) if name != check.product]
    problems += [f"talks about {name}" for name in others]
    answered = advised is not None and advised.upper() in mentioned
    return Verdict(answered=answered, grounded=not problems, named=[check.product],
                   problems=problems)


def _order_problems(order: Order, reply: str) -> list[str]:
    problems = []
    for oid in _ORDER_ID.findall(reply):
        if oid.lstrip("#") != order.id.lstrip("#"):
            problems.append(f"names order {oid}")
    for number in _TRACKING.findall(reply):
        if number.isdigit() and number != (order.tracking_number or ""):
            problems.append(f"tracking {number} is not the order's")
    real_dates = {order.created_at.date().isoformat()}
    if order.expected_delivery:
        real_dates.add(order.expected_delivery.isoformat())
    problems += [f"date {d} is not the order's" for d in _DATE.findall(reply)
                 if d not in real_dates]
    return problems


def check_order(truth: StoreTruth, check: Check, reply: str, *, proven: bool) -> Verdict:
    order = truth.session.get(Order, check.order_id)
    assert order is not None
    lowered = _norm(reply)
    says_status = bool(re.search(STATUS_SAYS[order.status], lowered))
    if not proven:
        problems = []
        if says_status or (order.tracking_number and order.tracking_number in reply):
            problems.append("order details given before proof")
        asks = bool(re.search(r"e-?mail|post ?code|zip", lowered))
        return Verdict(answered=asks, grounded=not problems, named=[order.id],
                       problems=problems)
    problems = _order_problems(order, reply)
    if re.search(WRONG_CLAIMS[order.status], lowered):
        problems.append(f"contradicts the status ({order.status})")
    return Verdict(answered=says_status, grounded=not problems, named=[order.id],
                   problems=problems)


def judge(truth: StoreTruth, check: Check, *, shopper: str, reply: str, cards: list[str],
          handed_off: bool) -> Verdict:
    """The verdict for one turn's answer."""
    if check.kind == "handoff":
        return Verdict(answered=handed_off, grounded=handed_off,
                       problems=[] if handed_off else ["not handed to a person"])
    if handed_off:
        return Verdict(answered=False, grounded=True, problems=["handed off a routine turn"])
    if check.kind == "products":
        return check_products(truth, shopper, reply, cards)
    if check.kind == "sizing":
        return check_sizing(truth, check, shopper, reply)
    return check_order(truth, check, reply, proven=check.kind == "order")
