"""Assignment is deterministic and sticky, recorded once; the control reaches a person."""

from __future__ import annotations

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from api.db import session_scope
from api.experiments.assignment import variant_for
from api.experiments.definition import parse_definition
from api.models import Exposure, Handoff
from tests.experiments.factories import running_experiment, unique
from tests.helpers import say, start_chat


async def test_the_same_visitor_always_gets_the_same_variant_recorded_once(
        client: httpx.AsyncClient, engine: Engine) -> None:
    with running_experiment(engine) as experiment:
        visitor = unique("visitor")
        answers = [(await client.get("/v1/assignments", params={"visitor_id": visitor})).json()
                   for _ in range(3)]
        assert answers[0] == answers[1] == answers[2]
        variant = answers[0]["experiments"][experiment.name]
        assert variant in ("control", "assistant")
        assert answers[0]["assistant"] is (variant == "assistant")
        with session_scope(engine) as session:
            rows = session.exec(select(Exposure).where(
                Exposure.experiment_id == experiment.id,
                Exposure.visitor_id == visitor)).all()
        assert [r.variant for r in rows] == [variant]


async def test_a_stopped_experiment_assigns_nobody(client: httpx.AsyncClient,
                                                   engine: Engine) -> None:
    with running_experiment(engine) as experiment:
        pass
    answer = (await client.get("/v1/assignments", params={"visitor_id": unique("v")})).json()
    assert experiment.name not in answer["experiments"]


async def test_a_bad_visitor_id_is_refused_with_the_reason(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/assignments", params={"visitor_id": "has spaces"})
    assert response.status_code == 422 and "visitor_id" in response.json()["detail"]


def test_shares_split_visitors_within_sampling_error() -> None:
    definition = parse_definition({"name": "split", "primary": "conversion", "variants": {
        "control": 0.2, "a": 0.3, "b": 0.5}})
    counts = {"control": 0, "a": 0, "b": 0}
    for i in range(20000):
        counts[variant_for(definition, f"visitor-{i}")] += 1
    # 20000 draws: 3 standard errors of a share are under 1.1 points.
    assert abs(counts["control"] / 20000 - 0.2) < 0.011
    assert abs(counts["a"] / 20000 - 0.3) < 0.011
    # Another experiment's name reshuffles the same visitors.
    other = parse_definition({"name": "split-2", "primary": "conversion",
                              "variants": {"control": 0.5, "b": 0.5}})
    same = sum(variant_for(other, f"visitor-{i}") == variant_for(definition, f"visitor-{i}")
               for i in range(2000))
    assert 0.15 < same / 2000 < 0.4


def _visitor_in(experiment_name: str, variant: str) -> str:
    definition = parse_definition({"name": experiment_name, "primary": "conversion",
                                   "variants": {"control": 0.5, "assistant": 0.5}})
    return next(v for v in (f"visitor-{i}" for i in range(1000))
                if variant_for(definition, v) == variant)


async def test_a_control_visitor_writes_to_a_person_and_the_assistant_stays_silent(
        client: httpx.AsyncClient, engine: Engine) -> None:
    with running_experiment(engine) as experiment:
        visitor = _visitor_in(experiment.name, "control")
        chat = await start_chat(client, visitor_id=visitor)
        turn = await say(client, chat, "Do you have a waterproof jacket under $200?")
        assert turn["route"] == "human" and turn["reply"]["text"] == ""
        assert turn["handoff"]["status"] == "open"
        with session_scope(engine) as session:
            handoff = session.get(Handoff, turn["handoff"]["id"])
            assert handoff is not None and handoff.rule == "experiment_control"
            assert handoff.summary["wants"] == "Do you have a waterproof jacket under $200?"
        transcript = (await client.get(f"/v1/conversations/{chat.id}",
                                       headers=chat.headers)).json()
        assert [m["role"] for m in transcript["messages"]] == ["shopper", "system"]


async def test_an_assistant_visitor_gets_the_assistant(client: httpx.AsyncClient,
                                                       engine: Engine) -> None:
    with running_experiment(engine) as experiment:
        chat = await start_chat(client, visitor_id=_visitor_in(experiment.name, "assistant"))
        turn = await say(client, chat, "Do you have a waterproof jacket under $200?")
        assert turn["route"] == "assistant" and turn["reply"]["suggestions"]
