"""tau-bench retail tasks as shopper messages with a route.

Each task gives the user simulator an instruction in the second person ("Your name is ...
You are shy, logical. Cancel order #W6443279 because ordered by mistake.") and the actions
the agent must take.  The *message* is the instruction as the shopper would say it: the
persona sentences (name, zip code, email, personality) dropped and "you" turned into "I".
The products are taken out: their option dictionaries ("{'size': 'L', 'color': 'black'}")
and the store's product names ("Electric Kettle").  What routes a task is its verb (return,
exchange, cancel, change); its products are incidental, and 265 of its 514 messages are
returns and exchanges that list them.  Kept in, they taught the route head that a product
and its options mean a return: "looking for a tablet" went to a person (p 0.84), and 18 of
450 shopping questions about the store's 50 products did.  Taken out (2026-12-07), none do,
and with Bitext left out of training its requests were found at recall 0.732 instead of
0.680 (`python -m evals.routing.validate`).

The *route* comes from the actions, the same way the Bitext intents are mapped
(../shared/data/README.md): cancelling an order is `cancel`, a return is `refund`, an
exchange is `refund` too (the policy's `returns` rule covers exchanges) — a person.  A task
with no such action whose instruction has the shopper complain or say they are unhappy
(`_COMPLAINT`) is a `complaint`: the policy sends complaints to a person whatever the agent
then does.  Changing a pending order's items, address or payment, or only asking, stays
with the assistant, as Bitext's `change_order` and `change_shipping_address` do.  A task
with several requests goes to a person if any of them does (the first turn often names the
lot).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PERSON_ACTIONS = {
    "cancel_pending_order": "cancel",
    "return_delivered_order_items": "refund",
    "exchange_delivered_order_items": "refund",
}
_PERSONA = re.compile(
    r"^(your (name|zip code|email|user id)\b|you are (?!(not|also|now|then|only|going|"
    r"willing|trying|looking|happy to|fine|ok|okay)\b)[a-z]+(, [a-z]+)*(,? and [a-z]+)?\.?$|"
    r"you (live|reside)\b)", re.IGNORECASE)
_COMPLAINT = re.compile(r"\b(complain|unhappy|upset|angry|frustrat|dissatisf|disappointed)",
                        re.IGNORECASE)
# The simulator is told to say things to "the agent"; the shopper just says them.
_TELL = re.compile(r"\b(tell|inform|ask) the (customer service )?agent (that )?", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_DICT = re.compile(r"\{[^{}]*\}")
_PERSON_SWAPS = (
    (r"\byou're\b", "I'm"), (r"\byou've\b", "I've"), (r"\byou'd\b", "I'd"),
    (r"\byou'll\b", "I'll"), (r"\byourself\b", "myself"), (r"\byours\b", "mine"),
    (r"\byour\b", "my"), (r"\byou\b", "I"), (r"\bI are\b", "I am"), (r"\bI were\b", "I was"),
)


@dataclass(frozen=True)
class TauMessage:
    text: str
    route_label: str
    """`assistant`, or the person-topic: `cancel`, `refund` or `complaint`."""
    task: str
    """`train:17`: file and index, so a task's message is never on both sides of a split."""


def _values(match: re.Match[str]) -> str:
    """An address's lines; any other dictionary (a product's options) goes."""
    try:
        options = ast.literal_eval(match.group(0))
    except (ValueError, SyntaxError):
        return match.group(0)
    if not isinstance(options, dict):
        return match.group(0)
    if "address1" in options:  # an address: its lines, not its field names
        return ", ".join(str(v) for k, v in options.items() if k != "order_id" and v)
    return ""


def _names_pattern(product_names: Sequence[str]) -> re.Pattern[str] | None:
    names = sorted({n.strip() for n in product_names if n.strip()}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)",
                      re.IGNORECASE)


def first_message(instruction: str, product_names: Sequence[str] = ()) -> str:
    """The instruction as the shopper's own words, without its products (see the module
    docstring)."""
    text = _TELL.sub("", _DICT.sub(_values, instruction.replace("\n", " ")))
    names = _names_pattern(product_names)
    if names is not None:
        text = names.sub("", text)
    kept = [s for s in _SENTENCE.split(text.strip()) if s and not _PERSONA.match(s.strip())]
    message = " ".join(kept)
    for pattern, replacement in _PERSON_SWAPS:
        message = re.sub(pattern, replacement, message, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", message).strip()


def route_label(instruction: str, actions: list[dict[str, object]]) -> str:
    for action in actions:
        label = PERSON_ACTIONS.get(str(action.get("name")))
        if label:
            return label
    return "complaint" if _COMPLAINT.search(instruction) else "assistant"


def tau_messages(folder: Path, part: str) -> list[TauMessage]:
    """The tasks of `tasks_{part}.json` (`train` or `dev`) as messages with a route."""
    tasks = json.loads((folder / f"tasks_{part}.json").read_text(encoding="utf-8"))
    catalogue = folder / "products.json"  # a cut-down copy (tests) may have no catalogue
    products = json.loads(catalogue.read_text(encoding="utf-8")) if catalogue.exists() else {}
    names = [str(p["name"]) for p in products.values()]
    out = []
    for index, task in enumerate(tasks):
        instruction = str(task["instruction"])
        text = first_message(instruction, names)
        if text:
            out.append(TauMessage(text, route_label(instruction, task["actions"]),
                                  f"{part}:{index}"))
    return out
