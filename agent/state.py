"""Conversation state kept by the LangGraph checkpointer, one thread per conversation.

`InputState` is what a turn brings in (the shopper's message); `ConversationState` adds the
internal fields.  Fields without a reducer are overwritten by the node that returns them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import Messages, add_messages

Intent = Literal["discovery", "sizing", "order_status", "policy", "smalltalk", "handoff",
                 "explain", "product_question"]
Route = Literal["assistant", "human"]


MAX_STATE_MESSAGES = 20
"""Messages kept in the graph's state: the last ten exchanges.  The whole transcript lives
in the `message` table; the checkpointer writes the state's message list afresh at every
step, so an unbounded list makes checkpoint storage grow with the square of a
conversation's length."""


def recent_messages(left: Messages, right: Messages) -> list[AnyMessage]:
    """`add_messages` (append, replace by id), keeping the last `MAX_STATE_MESSAGES`."""
    merged: list[AnyMessage] = add_messages(left, right)  # type: ignore[assignment]
    return merged[-MAX_STATE_MESSAGES:]


class InputState(TypedDict):
    messages: Annotated[list[AnyMessage], recent_messages]
    """The recent transcript as chat messages; `recent_messages` appends (and replaces by
    id), keeping the last `MAX_STATE_MESSAGES`."""


class ConversationState(InputState, total=False):
    intent: Intent
    """What the router decided this turn is about (overwritten every turn)."""
    route: Route
    """`human` once the escalation policy handed the conversation to a person."""
    verdict: dict[str, Any] | None
    """The escalation verdict (rule, priority, mood, reasons) when one fired this turn."""
    facts: dict[str, Any]
    """What the graph fetched this turn (products, stock, order, size advice), for the reply
    prompt; reset by the router every turn so stale facts never leak into a new answer."""
    suggestions: list[dict[str, Any]]
    """In-stock suggestions with their `because` text and evidence (reset every turn)."""
    last_suggestions: list[dict[str, Any]]
    """The latest cards shown (product and variant ids, name, price, size, colour, options,
    `because` and stored evidence), kept across turns and replaced when new suggestions are
    made: "why did you suggest that?", "the second one", "is it waterproof?" refer to them."""
    unsure: dict[str, Any] | None
    """The router's reading of a message its rules cannot place (a product asked for in
    another language than the catalogue's), as `ShopperQuery` fields, for one
    schema-constrained model call (agent/nodes/understand.py); reset every turn."""
    understood: dict[str, Any] | None
    """What that call cost and answered this turn (calls, seconds, answer), for the evals."""
    focus: dict[str, Any] | None
    """The card a product question is about this turn ("how heavy is it?": the first card;
    "the second one": the second), one of `last_suggestions` (reset every turn)."""
    reply: str
    """The final reply text of this turn."""
    shopper_size: str | None
    """The size the shopper stated earlier in this conversation (kept across turns)."""
    sizing_product: dict[str, Any] | None
    """The product the latest sizing answer was about (`name`) and the suggestion names
    shown at the time (`shown`), so "it feels tight" in a later turn means that product
    unless new suggestions were made since (kept across turns)."""
    language: str
    """The shopper's language (ISO 639-1: "en", "es", "de", "fr"...), read from their
    messages by the router; a message too short to tell keeps the one before."""
    last_query: dict[str, Any] | None
    """The latest product search (terms and constraints, `ShopperQuery` fields), kept across
    turns and replaced by each new search, so a follow-up such as "no, the blue one" or
    "ok, under $300 then" refines it instead of searching those words alone."""
    refined_query: dict[str, Any] | None
    """This turn's search when the router read the message as a follow-up: `last_query`
    with the new constraints laid over it (reset every turn; None for a new search)."""
    pending_order_id: str | None
    """An order id the shopper gave before proving it is theirs."""
    turns_without_progress: int
    """Consecutive turns where the assistant could not help (feeds the escalation policy)."""
    last_question: str | None
    """The previous shopper message, normalised, to notice the same question twice."""
    handoff_summary: dict[str, Any] | None
    """The context summary drafted from the transcript when handing off."""
