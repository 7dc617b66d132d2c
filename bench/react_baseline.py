"""The baseline: the usual design in our field, LangGraph's prebuilt ReAct agent.

Same model, same store, same commerce functions as Tandem, wrapped as tools (catalogue
search with live stock, stock check, order look-up with proof, size advice, and a handoff
to a person), and the system prompt in prompts/baseline_react.j2.  The model's text tool
calls are parsed (bench/text_tool_calls.py).  The loop is capped (`RECURSION_LIMIT`), so a
model that keeps calling tools ends the turn instead of hanging the bench.

`create_react_agent` is deprecated in LangGraph 1.x in favour of `langchain.agents.
create_agent`, which lives in the `langchain` package this project does not install; the
prebuilt one is still shipped (langgraph-prebuilt) and is the design the issue names.
"""

from __future__ import annotations

import time
import uuid
import warnings
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import BaseTool, tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import GraphRecursionError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agent.commerce.catalog import search_catalog, variant_meets
from agent.commerce.inventory import InventoryService, soonest_source, stock_note
from agent.commerce.orders import find_order_for_shopper
from agent.commerce.query import parse_query
from agent.prompts import PromptLibrary
from bench.conversations import Conversation
from bench.grounding import StoreTruth, judge, size_advice
from bench.text_tool_calls import with_text_tool_calls
from bench.usage import LLMRecorder

RECURSION_LIMIT = 10
"""Graph steps per turn: at most five model calls (each tool round is two steps)."""
HANDOFF_TOOL = "transfer_to_person"


def store_tools(engine: Engine, inventory: InventoryService, region: str) -> list[BaseTool]:
    """The commerce functions Tandem's nodes use, as tools a model can call."""

    def _product(session: Session, name: str) -> Any:
        found = search_catalog(session, parse_query(name), limit=1)
        return found[0] if found else None

    @tool
    def search_products(query: str) -> str:
        """Find products in stock. The query may include a size, colour and budget."""
        wanted = parse_query(query)
        with Session(engine) as session:
            candidates = search_catalog(session, wanted, limit=5)
        stock = inventory.stock_for([v.id for c in candidates for v in c.variants])
        lines = []
        for c in candidates:
            sold = [v for v in c.variants if variant_meets(v, wanted) and stock.get(v.id)]
            if sold:
                sizes = sorted({v.size for v in sold if v.size})
                lines.append(f"{c.product.name}: ${min(v.price for v in sold):.2f}"
                             + (f", sizes in stock {', '.join(sizes)}" if sizes else ""))
        return "\n".join(lines) or "No product in stock matches."

    @tool
    def check_stock(product_name: str, size: str = "") -> str:
        """Stock of one product (optionally one size) and when it can be delivered."""
        with Session(engine) as session:
            found = _product(session, product_name)
        if found is None:
            return "No such product."
        variants = [v for v in found.variants if not size or (v.size or "").upper() ==
                    size.upper()]
        stock = inventory.stock_for([v.id for v in variants])
        lines = [f"{found.product.name} {v.label}: {stock_note(source, region)}"
                 for v in variants if (source := soonest_source(stock.get(v.id, []), region))]
        return "\n".join(lines[:6]) or f"{found.product.name}: out of stock."

    @tool
    def order_status(order_id: str, email_or_postcode: str) -> str:
        """Status of an order; needs the email address or postcode on the order."""
        proof = email_or_postcode.strip()
        order_key = "#" + order_id.strip().lstrip("#").upper()
        with Session(engine) as session:
            order = find_order_for_shopper(
                session, order_id=order_key, email=proof if "@" in proof else None,
                postcode=None if "@" in proof else proof)
        if order is None:
            return "No order matches that number and email or postcode."
        items = ", ".join(f"{i.quantity} x {i.name}" for i in order.items)
        parts = [f"Order {order.id} is {order.status_words} ({order.status}).",
                 f"Placed {order.placed_on.isoformat()}. Items: {items}."]
        if order.tracking_number:
            parts.append(f"Tracking: {order.carrier or ''} {order.tracking_number}.")
        if order.expected_delivery:
            parts.append(f"Expected {order.expected_delivery.isoformat()}.")
        return " ".join(parts)

    @tool
    def size_advice_for(product_name: str, usual_size: str = "") -> str:
        """Which size of a product to order, from the size the shopper usually wears."""
        with Session(engine) as session:
            found = _product(session, product_name)
            if found is None:
                return "No such product."
            advice, run = size_advice(session, found.product.id, usual_size or None)
        if advice is None:
            return f"{found.product.name} comes in {', '.join(run)}. Ask their usual size."
        return f"{found.product.name}: size {advice.size}. {advice.because}"

    @tool(HANDOFF_TOOL)
    def transfer_to_person(reason: str) -> str:
        """Hand the conversation to a person on the support team."""
        return "A person from the support team will take over this conversation."

    return [search_products, check_stock, order_status, size_advice_for, transfer_to_person]


def react_agent(model: BaseChatModel, tools: list[BaseTool], prompts: PromptLibrary) -> Any:
    """The prebuilt ReAct agent over `model`, with text tool calls parsed after the model."""
    from langgraph.prebuilt import create_react_agent

    params = {t.name: list(t.args) for t in tools}
    parse = RunnableLambda(lambda message: with_text_tool_calls(message, params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # see the module docstring
        return create_react_agent(model.bind_tools(tools) | parse, tools,
                                  prompt=prompts.render("baseline_react"),
                                  checkpointer=InMemorySaver())


def _final_reply(messages: list[BaseMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, AIMessage) and not message.tool_calls:
            return str(message.content).strip()
        if isinstance(message, HumanMessage):
            break
    return ""


async def _turn(agent: Any, thread: str, text: str, recorder: LLMRecorder
                ) -> tuple[list[BaseMessage], float, float, bool]:
    """(the thread's messages, when the turn started, its seconds, whether it was capped)"""
    config = {"configurable": {"thread_id": thread}, "recursion_limit": RECURSION_LIMIT,
              "callbacks": [recorder]}
    started = time.perf_counter()
    capped = False
    try:
        # "messages" makes the model stream (so first tokens are seen); "values" ends with
        # the whole state.
        async for mode, chunk in agent.astream({"messages": [HumanMessage(text)]}, config,
                                               stream_mode=["messages", "values"]):
            del mode, chunk
    except GraphRecursionError:
        capped = True
    total = time.perf_counter() - started
    state = await agent.aget_state({"configurable": {"thread_id": thread}})
    return list(state.values.get("messages", [])), started, total, capped


async def run_react(model: BaseChatModel, engine: Engine, inventory: InventoryService,
                    prompts: PromptLibrary, conversations: list[Conversation], *,
                    region: str = "US-West", warm_up: str | None = None,
                    ) -> list[dict[str, Any]]:
    """One record per turn, in order, shaped like `run_tandem`'s."""
    recorder = LLMRecorder()
    agent = react_agent(model, store_tools(engine, inventory, region), prompts)
    if warm_up:
        await _turn(agent, uuid.uuid4().hex, warm_up, recorder)
        recorder.take()
    records: list[dict[str, Any]] = []
    with Session(engine) as session:
        truth = StoreTruth(session, inventory)
        for conversation in conversations:
            thread = uuid.uuid4().hex
            seen = 0
            for index, turn in enumerate(conversation.turns):
                messages, started, total, capped = await _turn(agent, thread, turn.text,
                                                               recorder)
                trace = recorder.take()
                new = messages[seen:]
                seen = len(messages)
                reply = "" if capped else _final_reply(new)
                handed_off = any(isinstance(m, ToolMessage) and m.name == HANDOFF_TOOL
                                 for m in new)
                # What a shopper would see first: the answer, i.e. the last call's tokens.
                last = trace.calls[-1] if trace.calls else None
                ttft = last.first_token - started if last and last.first_token else None
                verdict = judge(truth, turn.check, shopper=turn.text, reply=reply, cards=[],
                                handed_off=handed_off)
                model_s = trace.model_seconds
                records.append({
                    "conversation": conversation.name, "kind": conversation.kind,
                    "turn": index + 1, "text": turn.text, "routine": turn.routine,
                    "check": turn.check.kind,
                    "reply": reply, "capped": capped,
                    "tool_calls": [c["name"] for m in new if isinstance(m, AIMessage)
                                   for c in m.tool_calls],
                    "calls": len(trace.calls),
                    "prompt_tokens": sum(c.prompt_tokens for c in trace.calls),
                    "completion_tokens": sum(c.completion_tokens for c in trace.calls),
                    "cached_tokens": sum(c.cached_tokens for c in trace.calls),
                    "ttft_s": round(ttft if ttft is not None else total, 4),
                    "total_s": round(total, 4), "model_s": round(model_s, 4),
                    "outside_s": round(max(total - model_s, 0.0), 4),
                    **verdict.as_dict(),
                })
    return records
