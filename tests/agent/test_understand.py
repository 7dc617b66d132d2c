"""Where the rules cannot read a message (another language than the catalogue's), one
schema-constrained call picks among the store's own product kinds (scripted model here:
tests never call a real model; the embedded evals measure the real one)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from agent.llm.scripted import ScriptedChatModel
from agent.nodes.understand import _schema
from tests.agent.chat import context, turns


async def test_a_spanish_request_is_searched_as_the_kind_the_model_picks(
        engine: Engine) -> None:
    answer = '{"english": "wool socks, size L", "kind": "socks", "about_shown": false}'
    model = ScriptedChatModel(structured_replies=[answer], default_reply="ok")
    (state,) = await turns(context(engine, model), "busco unos calcetines de lana, talla L")
    assert state["understood"]["answer"]["kind"] == "socks"
    assert state["intent"] == "discovery" and state["suggestions"]
    assert all("Sock" in s["name"] and s["size"] == "L" for s in state["suggestions"])
    assert state["language"] == "es"


async def test_english_that_the_rules_read_makes_no_model_call(engine: Engine) -> None:
    model = ScriptedChatModel(default_reply="Some options for you.")
    (state,) = await turns(context(engine, model), "wool socks size L")
    assert state.get("understood") is None
    assert len(model.calls) == 1, "only the reply"


def test_the_schema_allows_only_the_catalogues_kinds() -> None:
    schema = _schema(["socks", "tents"]).model_json_schema()
    assert schema["properties"]["kind"]["enum"] == ["socks", "tents", "none"]
    assert list(schema["properties"]) == ["english", "kind", "about_shown"]
