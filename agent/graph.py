"""Wiring only: route -> one job node -> respond, with a checkpointer per conversation."""

from __future__ import annotations

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.context import TandemContext
from agent.nodes.discover import discover
from agent.nodes.explain import explain
from agent.nodes.handoff import handoff
from agent.nodes.order_status import order_status
from agent.nodes.product_question import product_question
from agent.nodes.respond import respond
from agent.nodes.route import route
from agent.nodes.size import size
from agent.nodes.store_policy import store_policy
from agent.nodes.understand import understand
from agent.state import ConversationState, InputState

JobNode = Literal["discover", "size", "order_status", "store_policy", "handoff", "respond",
                  "explain", "product_question", "understand"]


def after_route(state: ConversationState) -> JobNode:
    if state.get("unsure"):
        return "understand"  # the rules could not read it: one schema-constrained call
    intent = state.get("intent")
    if intent == "discovery":
        return "discover"
    if intent == "sizing":
        return "size"
    if intent == "order_status":
        return "order_status"
    if intent == "policy":
        return "store_policy"
    if intent == "handoff":
        return "handoff"
    if intent == "smalltalk":
        return "respond"
    if intent == "explain":
        return "explain"
    if intent == "product_question":
        return "product_question"
    raise ValueError(f"router produced an unknown intent: {intent!r}")


Graph = CompiledStateGraph[ConversationState, TandemContext, InputState, ConversationState]
"""The compiled conversation graph: its state, run-time context, input and output."""


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> Graph:
    graph = StateGraph(ConversationState, context_schema=TandemContext, input_schema=InputState)
    graph.add_node("route", route)
    graph.add_node("discover", discover)
    graph.add_node("size", size)
    graph.add_node("order_status", order_status)
    graph.add_node("store_policy", store_policy)
    graph.add_node("handoff", handoff)
    graph.add_node("respond", respond)
    graph.add_node("explain", explain)  # answers from stored evidence itself: no model call
    graph.add_node("product_question", product_question)
    graph.add_node("understand", understand)
    graph.add_edge(START, "route")
    graph.add_conditional_edges("route", after_route)
    graph.add_conditional_edges("understand", after_route)
    for job in ("discover", "size", "order_status", "store_policy", "handoff", "product_question"):
        graph.add_edge(job, "respond")
    graph.add_edge("respond", END)
    graph.add_edge("explain", END)
    return graph.compile(checkpointer=checkpointer)
