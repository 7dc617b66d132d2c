"""tau-bench retail tasks as shopper messages with a route.

Each task gives the user simulator an instruction in the second person ("Your name is ...
You are shy, logical. Cancel order #W6443279 because ordered by mistake.") and the actions
the agent must take.  The *message* is the instruction as the shopper would say it: the
persona sentences (name, zip code, email, personality) dropped, "you" turned into "I", and
the option dictionaries written as their values ("{'size': 'L', 'color': 'black'}" becomes
"size L, color black").

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
    try:
        options = ast.literal_eval(match.group(0))
    except (ValueError, SyntaxError):
        return match.group(0)
    if not isinstance(options, dict) or not options:
        return "" if isinstance(options, dict) else match.group(0)
    if "address1" in options:  # an address: its lines, not its field names
        return ", ".join(str(v) for k, v in options.items() if k != "order_id" and v)
    return ", ".join(f"{k} {v}" for k, v in options.items())


def first_message(instruction: str) -> str:
    """The instruction as the shopper's own words (see the module docstring)."""
    text = _TELL.sub("", _DICT.sub(_values, instruction.replace("\n", " ")))
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
    out = []
    for index, task in enumerate(tasks):
        instruction = str(task["instruction"])
        text = first_message(instruction)
        if text:
            out.append(TauMessage(text, route_label(instruction, task["actions"]),
                                  f"{part}:{index}"))
    return out
