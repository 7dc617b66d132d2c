"""The native llama.cpp build (`tandem runtime build`) with the real model: it loads, and it
still enforces JSON schemas (it has no LLGuidance; llama.cpp's own grammar does it).

Runs only where the build exists: CI never compiles it (10-15 minutes of two cores)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.llm.model_files import EmbeddedModelMissing, ensure_embedded_model
from agent.llm.runtimes import native_dir, native_info

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = Path(os.environ.get("TANDEM_MODEL_DIR", ROOT / "var" / "models"))

_RUN = textwrap.dedent("""
    import json, sys
    from agent.llm.embedded import EmbeddedRuntime
    from agent.llm.structured_check import schema_round_trip
    rt = EmbeddedRuntime(sys.argv[1], threads=2, context_tokens=1024, runtime="native")
    rt.start()
    answers = [schema_round_trip(rt) for _ in range(3)]
    print(json.dumps({"runtime": rt.choice.name, "answers": answers}))
    rt.stop()
""")


@pytest.mark.embedded
def test_the_native_build_loads_and_answers_schema_valid_json() -> None:
    if native_info() is None:
        pytest.skip(f"no native llama.cpp build for this CPU in {native_dir()}: "
                    "`tandem runtime build` makes one; the prebuilt wheel is tested in "
                    "test_embedded.py")
    try:
        model = ensure_embedded_model(MODEL_DIR)
    except EmbeddedModelMissing as exc:
        pytest.skip(str(exc))
    # A process of its own: this one may hold the prebuilt wheel already (one per process).
    out = subprocess.run([sys.executable, "-c", _RUN, str(model)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["runtime"] == "native"
    # schema_round_trip raises on any reply off the schema; three in a row all held.
    assert len(result["answers"]) == 3
    assert all(a["intent"] in {"browse", "order_status", "return", "other"}
               for a in result["answers"])


@pytest.mark.embedded
def test_the_speed_probe_reads_llama_cpp_s_own_rates_from_the_prebuilt_wheel() -> None:
    """What `tandem runtime build` compares the builds by; runs on the wheel, so in CI too."""
    from agent.llm.runtime_speed import probe, turn_seconds

    try:
        model = ensure_embedded_model(MODEL_DIR)
    except EmbeddedModelMissing as exc:
        pytest.skip(str(exc))
    rates = probe(None, model)
    # Two cores: tens of prompt tokens and about 10-35 generated tokens per second.
    assert 5 < rates["prompt_tok_s"] < 2000 and 1 < rates["gen_tok_s"] < 500
    assert 0 < turn_seconds(rates["prompt_tok_s"], rates["gen_tok_s"]) < 60
