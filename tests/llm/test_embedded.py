"""Embedded model: chunk assembly (fast unit tests) and the real model (marked embedded)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.llm import model_files
from agent.llm.embedded import EmbeddedRuntime, compact_json_schema_payload, get_runtime
from agent.llm.model_files import (
    PACKAGED_MODELS,
    EmbeddedModelMissing,
    PackagedModel,
    assemble,
    ensure_embedded_model,
)
from agent.llm.structured_check import TRIAGE_SCHEMA

MODEL_DIR = Path(
    os.environ.get("TANDEM_MODEL_DIR", Path(__file__).resolve().parents[2] / "var" / "models")
)

# --- model_files: fast unit tests on fake chunks -------------------------------------


def _fake_chunks(tmp_path: Path) -> tuple[list[Path], int, str]:
    chunks = []
    for i, payload in enumerate([b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]):
        path = tmp_path / f"part{i + 1:02d}.bin"
        path.write_bytes(payload)
        chunks.append(path)
    whole = b"".join(p.read_bytes() for p in chunks)
    return chunks, len(whole), hashlib.sha256(whole).hexdigest()


def test_assemble_concatenates_and_verifies(tmp_path: Path) -> None:
    chunks, size, digest = _fake_chunks(tmp_path)
    target = tmp_path / "models" / "fake.gguf"

    result = assemble(chunks, target, expected_size=size, expected_sha256=digest)

    assert result == target
    assert target.read_bytes() == b"".join(p.read_bytes() for p in chunks)
    sidecar = json.loads(target.with_name("fake.gguf.verified.json").read_text())
    assert sidecar["sha256"] == digest and sidecar["size"] == size
    # No temp file left behind: only the model and its verification sidecar.
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "fake.gguf",
        "fake.gguf.verified.json",
    ]


def test_verified_model_is_not_rehashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks, size, digest = _fake_chunks(tmp_path)
    target = tmp_path / "fake.gguf"
    assemble(chunks, target, expected_size=size, expected_sha256=digest)

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"{path} was re-hashed although its sidecar is current")

    monkeypatch.setattr(model_files, "sha256_file", no_hashing)
    assert assemble(chunks, target, expected_size=size, expected_sha256=digest) == target


def test_corrupt_model_file_is_rebuilt(tmp_path: Path) -> None:
    chunks, size, digest = _fake_chunks(tmp_path)
    target = tmp_path / "fake.gguf"
    assemble(chunks, target, expected_size=size, expected_sha256=digest)
    target.write_bytes(b"X" * size)  # same size, new mtime: the sidecar no longer matches

    assemble(chunks, target, expected_size=size, expected_sha256=digest)

    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest


def test_hash_mismatch_raises_and_leaves_nothing_behind(tmp_path: Path) -> None:
    chunks, size, _ = _fake_chunks(tmp_path)
    out_dir = tmp_path / "models"

    with pytest.raises(EmbeddedModelMissing, match="sha256"):
        assemble(chunks, out_dir / "fake.gguf", expected_size=size, expected_sha256="0" * 64)

    assert list(out_dir.iterdir()) == []


def test_size_mismatch_raises(tmp_path: Path) -> None:
    chunks, size, digest = _fake_chunks(tmp_path)
    with pytest.raises(EmbeddedModelMissing, match="bytes"):
        assemble(chunks, tmp_path / "f.gguf", expected_size=size + 1, expected_sha256=digest)


def test_ensure_embedded_model_uses_injected_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks, size, digest = _fake_chunks(tmp_path)
    spec = PackagedModel(
        "fake-model", "fake", "no-such-dist-part", "no_such_mod_part", 3, "1.0", size, digest
    )
    monkeypatch.setitem(PACKAGED_MODELS, spec.name, spec)

    path = ensure_embedded_model(tmp_path / "m", "fake-model", chunks=chunks)

    assert path == tmp_path / "m" / "fake-model.gguf" and path.stat().st_size == size
    # Once verified, the chunk packages are no longer needed (they are not installed here).
    assert ensure_embedded_model(tmp_path / "m", "fake-model") == path


def test_missing_chunk_package_gives_pip_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = PackagedModel(
        "absent-model",
        "absent",
        "tandem-absent-part",
        "tandem_absent_part",
        2,
        "0.1.0",
        10,
        "0" * 64,
    )
    monkeypatch.setitem(PACKAGED_MODELS, spec.name, spec)

    with pytest.raises(EmbeddedModelMissing) as info:
        ensure_embedded_model(tmp_path, "absent-model")

    message = str(info.value)
    assert "tandem-absent-part1" in message and "tandem-absent-part2" in message
    assert "pip install tandem-absent-part1==0.1.0 tandem-absent-part2==0.1.0" in message
    assert not list(tmp_path.iterdir())


def test_unknown_model_name_lists_known_models(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedModelMissing, match=r"qwen2\.5-coder-1\.5b-instruct-q4_k_m"):
        ensure_embedded_model(tmp_path, "no-such-model")


def test_compact_json_schema_payload_does_not_mutate_caller_schema() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    payload = {
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    }

    out = compact_json_schema_payload(payload)

    assert "x-guidance" in out["response_format"]["json_schema"]["schema"]
    assert "x-guidance" not in schema
    assert compact_json_schema_payload({"messages": []}) == {"messages": []}


# --- the real embedded model ----------------------------------------------------------


@pytest.fixture(scope="session")
def embedded_model_path() -> Path:
    try:
        return ensure_embedded_model(MODEL_DIR)
    except EmbeddedModelMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def runtime(embedded_model_path: Path) -> Iterator[EmbeddedRuntime]:
    pytest.importorskip("xllamacpp")
    rt = get_runtime(embedded_model_path, threads=os.cpu_count() or 2, context_tokens=4096)
    rt.start()
    rt.warm_up()
    yield rt
    rt.stop()


SHOP_SYSTEM = (
    "You are the shop assistant of TrailHead, an outdoor gear store. "
    "Answer shoppers in one or two short, friendly sentences."
)


@pytest.mark.embedded
def test_model_file_is_verified(embedded_model_path: Path) -> None:
    spec = PACKAGED_MODELS[model_files.DEFAULT_MODEL_NAME]
    assert embedded_model_path.stat().st_size == spec.size
    assert model_files.is_verified(
        embedded_model_path, expected_size=spec.size, expected_sha256=spec.sha256
    )


@pytest.mark.embedded
async def test_streams_a_shopper_reply(runtime: EmbeddedRuntime) -> None:
    model = runtime.chat_model(max_tokens=48, timeout_s=120)
    chunks = [
        chunk.content
        async for chunk in model.astream(
            [("system", SHOP_SYSTEM), ("user", "Do you have waterproof hiking boots?")]
        )
    ]
    text = "".join(str(c) for c in chunks).strip()
    assert len([c for c in chunks if c]) > 1
    assert text


@pytest.mark.embedded
def test_response_format_json_schema_is_enforced(runtime: EmbeddedRuntime) -> None:
    schema = TRIAGE_SCHEMA
    model = runtime.chat_model(max_tokens=80, timeout_s=120, temperature=0.0).bind(
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "triage", "schema": schema, "strict": True},
        }
    )
    # The question invites prose; only constrained decoding keeps the reply to the schema.
    reply = model.invoke(
        [
            ("system", "Classify the shopper message."),
            ("user", "Where is my order 10432?? Tell me a long story about it."),
        ]
    )

    data = json.loads(str(reply.content))
    assert set(data) == {"intent", "order_number", "urgency"}
    assert data["intent"] in {"browse", "order_status", "return", "other"}
    assert data["order_number"] is None or isinstance(data["order_number"], str)
    assert isinstance(data["urgency"], int) and 1 <= data["urgency"] <= 3


@pytest.mark.embedded
async def test_a_whole_handoff_summary_fits_in_a_structured_answer(
        runtime: EmbeddedRuntime) -> None:
    """The chat model's reply limit (`TANDEM_LLM_MAX_TOKENS`, 160) is for short replies; a
    summary runs 110-170 tokens, and one cut off is invalid JSON, so agents would only see
    the rule-based summary.  `ask_json` asks for room of its own: even a model built with a
    40-token reply limit gives a whole summary."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.llm.structured import ask_json
    from agent.prompts import PromptLibrary
    from api.services.summaries import HandoffDraft

    prompts = PromptLibrary(Path(__file__).resolve().parents[2] / "prompts")
    transcript = [
        "shopper: My order #W2378156 arrived with a torn jacket sleeve. This is the second "
        "time and I am really fed up.",
        "assistant: I'm sorry about that. I'm passing you to a person on our team now.",
        "shopper: I want a refund, not another replacement.",
    ]
    model = runtime.chat_model(max_tokens=40, timeout_s=120, temperature=0.0)
    draft = await ask_json(model, [SystemMessage(prompts.render("handoff_summary_system")),
                                   HumanMessage(prompts.render("handoff_summary",
                                                               transcript=transcript))],
                           HandoffDraft, timeout_s=120)
    assert draft is not None, "the summary was not valid JSON (cut off?)"
    # Every field filled: the JSON was complete.  (How good a 1.5B model's summary is, is the
    # eval suite's business; the order id it should copy is checked by check_draft.)
    assert draft.wants.strip() and draft.mood.strip() and draft.reply_draft.strip()
