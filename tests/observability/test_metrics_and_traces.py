"""Operations seen from outside the graph: Prometheus metrics, OpenTelemetry spans (with
personal data redacted) and the per-turn records `tandem monitor` reads."""

from __future__ import annotations

import re

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent.llm.scripted import ScriptedChatModel
from api.db import session_scope
from api.models import TurnStat
from api.settings import Settings
from tests.conftest import api_client
from tests.helpers import say, start_chat


def _value(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_metrics_count_turns_nodes_replies_handoffs_and_the_queue(
        client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    chat = await start_chat(client)
    await say(client, chat, "Do you have a waterproof jacket under $200?")
    await say(client, chat, "This is ridiculous, I want a refund now")
    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/plain")
    after = response.text
    assert _value(after, "tandem_turn_seconds_count") - _value(
        before, "tandem_turn_seconds_count") >= 2
    for node in ("route", "discover", "handoff", "respond"):
        label = f'{{node="{node}"}}'
        assert _value(after, "tandem_node_seconds_count", label) > _value(
            before, "tandem_node_seconds_count", label), node
    handoffs = sum(float(v) for v in re.findall(r'^tandem_handoffs_total\{reason="[^"]+"\} (\S+)',
                                                after, re.MULTILINE))
    assert handoffs >= 1
    assert 'tandem_replies_total{outcome="template"}' in after  # the scripted provider
    assert "tandem_generation_queue_length" not in after or "tandem_generation_queue_length 0" \
        in after
    assert "tandem_turn_tokens_bucket" in after


async def test_spans_per_turn_node_and_model_call_without_personal_data(
        settings: Settings, engine: Engine) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    model = ScriptedChatModel(default_reply="Here is the Trailhead Rain Jacket for you.")
    async with api_client(settings, model=model) as client:
        client.app.state.observer.tracer = provider.get_tracer("test")  # type: ignore[attr-defined]
        chat = await start_chat(client)
        await say(client, chat, "waterproof jacket under $200, mail me at jo.doe@example.com")
    spans = exporter.get_finished_spans()
    turn = next(s for s in spans if s.name == "tandem.turn")
    nodes = {s.name for s in spans if s.parent and s.parent.span_id == turn.context.span_id}
    assert {"tandem.node.route", "tandem.node.respond"} <= nodes
    model_span = next(s for s in spans if s.name == "tandem.model")
    respond = next(s for s in spans if s.name == "tandem.node.respond")
    assert model_span.parent is not None and model_span.parent.span_id == respond.context.span_id
    assert model_span.attributes["gen_ai.usage.output_tokens"] > 0
    assert "tandem.first_token_s" in model_span.attributes
    text = str(turn.attributes["tandem.shopper_text"])
    assert "jo.doe@example.com" not in text and "waterproof jacket" in text
    assert turn.attributes["tandem.conversation_id"] == chat.id
    assert turn.attributes["tandem.reply"] in ("model", "withdrawn")
    assert all("jo.doe@example.com" not in str(v) for s in spans
               for v in (s.attributes or {}).values())
    with session_scope(engine) as session:
        stats = session.exec(select(TurnStat).where(TurnStat.conversation_id == chat.id)).all()
    assert len(stats) == 1 and stats[0].intent == "discovery" and stats[0].model_calls == 1
    assert stats[0].generated_tokens > 0 and stats[0].first_token_s is not None


async def test_no_endpoint_no_tracer(client: httpx.AsyncClient) -> None:
    assert client.app.state.observer.tracer is None  # type: ignore[attr-defined]
