"""Commitments a model must not make in the store's name.

The graph fetches facts (products, stock, an order's status, size advice); it never fetches
an approved refund, a discount, a changed order or a policy exception, because only a
person (or the retailer's policy file, quoted word for word by the policy template) can
grant those.  So a model reply that approves, promises, cancels, credits, discounts or
states a policy term is withdrawn, whoever asked for it: "confirm my $500 refund for
#R10002 is approved" must never come back as the store saying so.  The same holds for the
reply an AI drafts for a support agent (api/services/summaries.py): it is sent in the
store's name.

An order's status is a fact the graph fetched; a reply naming a different status (the one
the shopper claimed, say) contradicts it and is withdrawn too.

These are word patterns, deliberately broad: a withdrawn reply is replaced by the template
with the same facts, so a false alarm costs some fluency, a miss costs the store a promise.
"""

from __future__ import annotations

import re
from typing import Any

from agent.commerce.orders import STATUS_WORDS

_GRANTED = (r"approved|processed|issued|granted|confirmed|authori[sz]ed|accepted|refunded|"
            r"credited|reimbursed|waived|cancell?ed|applied|reversed|on (its|the) way")
_COMMITMENTS = {
    "an approval": re.compile(
        rf"\b(refund|return|exchange|replacement|cancell?ation|credit|reimbursement|"
        rf"compensation|claim|discount|chargeback)s?\b[^.!?]{{0,40}}\b(is|are|has been|"
        rf"have been|was|were|will be|'s|gets?|got)\s+(now\s+|been\s+|fully\s+)?"
        rf"({_GRANTED})\b", re.IGNORECASE),
    "an action taken": re.compile(
        rf"\b(i|we)\s*('ve|'ll|\s+have|\s+will|\s+can|\s+could|\s+shall|\s+am going to|"
        rf"\s+are going to|'m going to|'re going to)?\s+(just\s+|now\s+|already\s+|"
        rf"gladly\s+)?(approve|issue|grant|authori[sz]e|refund|credit|reimburse|waive|"
        rf"cancel|apply a|replace|reverse|honou?r|compensate|{_GRANTED})\b", re.IGNORECASE),
    "a promise": re.compile(
        r"\byou('ll| will| are going to|'re going to)\s+(get|receive|be (sent|refunded|"
        r"credited|reimbursed|compensated))\b[^.!?]{0,30}\b(refund|credit|replacement|"
        r"discount|voucher|coupon|money back|compensation|free)", re.IGNORECASE),
    "a discount": re.compile(
        r"\b(discount|promo|coupon|voucher|gift)\s*(code|card)s?\b|\b\d{1,3}\s*%\s*off\b|"
        r"\bprice[- ]match|\bfree of charge\b|\bon the house\b|\bspecial price\b",
        re.IGNORECASE),
    "a policy term": re.compile(
        r"\b\d{1,3}[- ]days?\b[^.!?]{0,40}\b(return|refund|exchange|warranty|guarantee)|"
        r"\b(return|refund|exchange|warranty|shipping)\s+(policy|window|period)\b|"
        r"\bfree\s+(shipping|returns?|delivery|exchanges?)\b|\bguarantee[ds]?\b|"
        r"\blifetime warranty\b", re.IGNORECASE),
}


def commitments_in(text: str) -> list[str]:
    """Each commitment the text makes, as "<kind>: <the words>"."""
    found: list[str] = []
    for kind, pattern in _COMMITMENTS.items():
        found += [f"{kind}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    return found


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# "expected to be delivered on ..." is the expected date of a shipped order, not its status.
_FUTURE = re.compile(r"\b(be|expected|estimated|should|will|soon|by|once|when|until|get)\s*$",
                     re.IGNORECASE)


_SHOPPER_ECHOES = frozenset({"query"})
"""Fact keys that carry the shopper's own words (discovery keeps the search text)."""


def store_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts a reply may state: without internal (`_`) entries and without the
    shopper's words carried along with them."""
    return {k: v for k, v in facts.items() if not k.startswith("_") and k not in _SHOPPER_ECHOES}


def shopper_sources(shopper: str) -> list[str]:
    """What the shopper's own words may vouch for in a reply: their email address (a reply
    may repeat it back), never an amount, an order, a status or a policy."""
    return _EMAIL.findall(shopper)


def _states(text: str, words: str) -> bool:
    return any(not _FUTURE.search(text[:m.start()])
               for m in re.finditer(rf"\b{re.escape(words)}\b", text, re.IGNORECASE))


def foreign_statuses(reply: str, facts: dict[str, Any]) -> list[str]:
    """Order statuses the reply states that are not the fetched order's own."""
    order = facts.get("order")
    if not isinstance(order, dict) or "status" not in order:
        return []
    own = str(order.get("status_words", ""))
    return [words for status, words in STATUS_WORDS.items()
            if status != order["status"] and words not in own and _states(reply, words)]


_AMOUNT = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")
_PRICE_KEYS = ("price", "total", "amount")


def _cents(text: str) -> int:
    return round(float(text.replace(",", "")) * 100)


def _fact_prices(value: Any, key: str = "") -> set[int]:
    """Every amount the facts hold, in cents: numbers under a price-like key, and amounts
    written in the facts' text ("instead: the Drizzle jacket, $89").  A stock count or a
    number of days is no price, whatever a reply makes of it."""
    if isinstance(value, dict):
        return set().union(*(_fact_prices(v, str(k)) for k, v in value.items()), set())
    if isinstance(value, list | tuple):
        return set().union(*(_fact_prices(v, key) for v in value), set())
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int | float):
        return {round(value * 100)} if any(p in key for p in _PRICE_KEYS) else set()
    return {_cents(m.group(1)) for m in _AMOUNT.finditer(str(value))}


def foreign_prices(reply: str, facts: dict[str, Any]) -> list[str]:
    """Amounts the reply states that are no price or amount in the facts ("the jacket is
    now $1" when a stock count of 1 is the only 1 the facts hold)."""
    known = _fact_prices(store_facts(facts))
    return [m.group(0) for m in _AMOUNT.finditer(reply) if _cents(m.group(1)) not in known]


def store_words_problem(reply: str, facts: dict[str, Any]) -> str | None:
    """Why this reply cannot be said in the store's name, or None."""
    if promised := commitments_in(reply):
        return "commits the store to what no fact grants: " + "; ".join(promised[:2])
    if prices := foreign_prices(reply, facts):
        return "states a price the store does not: " + ", ".join(prices[:3])
    if others := foreign_statuses(reply, facts):
        return "states an order status the store does not: " + ", ".join(others)
    return None
