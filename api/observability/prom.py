"""Prometheus metrics, in a registry of Tandem's own, and the `/metrics` route.

Per process: with several API workers each serves its own numbers (scrape every worker, or
run one).  The generation queue is read from the gate when scraped.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from agent.llm.limits import GenerationGate

REGISTRY = CollectorRegistry(auto_describe=True)
SECONDS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32)
TOKENS = (0, 25, 50, 100, 200, 400, 800, 1600, 3200)

TURN_SECONDS = Histogram("tandem_turn_seconds", "Time the graph took for one shopper turn",
                         buckets=SECONDS, registry=REGISTRY)
NODE_SECONDS = Histogram("tandem_node_seconds", "Time in each graph node per turn", ["node"],
                         buckets=SECONDS, registry=REGISTRY)
MODEL_SECONDS = Histogram("tandem_model_seconds", "Time of each chat model call",
                          buckets=SECONDS, registry=REGISTRY)
MODEL_FIRST_TOKEN = Histogram("tandem_model_first_token_seconds",
                              "Time to the first streamed token of a model call",
                              buckets=SECONDS, registry=REGISTRY)
TURN_TOKENS = Histogram("tandem_turn_tokens", "Model tokens per turn: prompt, cached (of the "
                        "prompt) and generated", ["kind"], buckets=TOKENS, registry=REGISTRY)
REPLIES = Counter("tandem_replies", "Replies by who wrote them: model, template (no model "
                  "needed), withdrawn (the model's reply failed the fact check), fallback "
                  "(model failed or timed out), busy (no generation slot), unavailable",
                  ["outcome"], registry=REGISTRY)
HANDOFFS = Counter("tandem_handoffs", "Conversations handed to a person, by rule", ["reason"],
                   registry=REGISTRY)
BLOCKED_FOR_STOCK = Counter("tandem_suggestions_blocked_for_stock",
                            "Products left out of an answer because they were sold out",
                            registry=REGISTRY)


class GateCollector(Collector):
    """The generation queue (agent/llm/limits.py), read when scraped."""

    def __init__(self, gate: GenerationGate | None) -> None:
        self.gate = gate

    def collect(self) -> Iterator[Metric]:
        if self.gate is None:
            return
        m = self.gate.metrics
        yield GaugeMetricFamily("tandem_generation_queue_length",
                                "Turns waiting for a generation slot now", value=m.waiting)
        yield GaugeMetricFamily("tandem_generation_in_flight", "Model generations running now",
                                value=m.in_flight)
        yield CounterMetricFamily("tandem_generation_queue_wait_seconds",
                                  "Seconds turns spent waiting for a slot, in all",
                                  value=m.wait_seconds_total)
        yield CounterMetricFamily("tandem_generation_queued", "Generations that had to wait",
                                  value=m.queued)
        rejected = CounterMetricFamily("tandem_generation_rejected",
                                       "Generations turned away (the shopper got the busy "
                                       "reply)", labels=["why"])
        rejected.add_metric(["queue_full"], m.rejected_queue_full)
        rejected.add_metric(["wait"], m.rejected_wait)
        yield rejected


router = APIRouter(tags=["operations"])


@router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse,
            description="Turn, node and model latency histograms, tokens per turn, replies by "
                        "who wrote them (withdrawn, fallback, busy, ...), handoffs by reason, "
                        "suggestions blocked for stock, and the generation queue (length, "
                        "waiting time). Text exposition format; per worker process.")
def metrics(request: Request) -> Response:
    runtime = request.app.state.runtime
    queue = CollectorRegistry()
    queue.register(GateCollector(runtime.models.gate))
    body = generate_latest(REGISTRY) + generate_latest(queue)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
