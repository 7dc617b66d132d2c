"""What the per-turn (uncached) part of Tandem's model prompts carries, in the model's tokens.

    python bench/prompt_parts.py [--model NAME] [--prompts DIR]

Runs the bench conversations (bench/conversations.py) through Tandem's real turn service with
the scripted stand-in model (the prompts are rendered before any model sees them, so they
are the ones the embedded model gets), captures every model call's messages, and counts
them with the embedded runtime's own chat template and tokenizer: the static prefix the
prompt cache keeps (the system prompt), and the per-turn rest, split by the line it comes
from (FACTS, SHOPPER, ...).  Writes bench/results/prompt_parts.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable as a plain script from a checkout

from langchain_core.callbacks import BaseCallbackHandler  # noqa: E402
from langchain_core.messages import BaseMessage  # noqa: E402
from sqlmodel import Session  # noqa: E402

from agent.llm.embedded import EmbeddedRuntime  # noqa: E402
from agent.llm.model_files import DEFAULT_MODEL_NAME, ensure_embedded_model  # noqa: E402
from api.db import engine_for  # noqa: E402
from bench import write_json  # noqa: E402
from bench.conversations import bench_conversations  # noqa: E402
from bench.scripted_models import scripted_tandem_model  # noqa: E402
from bench.suite import BenchOptions, _build_store, _settings  # noqa: E402
from bench.tandem_run import run_tandem  # noqa: E402


class _Capture(BaseCallbackHandler):
    def __init__(self) -> None:
        self.calls: list[list[BaseMessage]] = []

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]],
                            *, run_id: UUID, **kwargs: Any) -> None:
        self.calls.append(messages[0])


async def _captured_prompts(prompts_dir: Path | None) -> list[list[BaseMessage]]:
    os.environ.setdefault("TANDEM_ENVIRONMENT", "development")
    with tempfile.TemporaryDirectory(prefix="tandem-prompts-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        _build_store(url)
        settings = _settings(BenchOptions(provider="scripted"), url)
        if prompts_dir is not None:
            settings = settings.model_copy(update={"prompts_dir": prompts_dir})
        with Session(engine_for(url)) as session:
            conversations = bench_conversations(session)
        model = scripted_tandem_model()
        capture = _Capture()
        model.callbacks = [capture]
        await run_tandem(settings, model, conversations, warm_up="hi")
        engine_for(url).dispose()
    return capture.calls


class _Tokens:
    def __init__(self, rt: EmbeddedRuntime) -> None:
        self.root = rt.base_url.removesuffix("/v1")
        self.headers = {"Authorization": f"Bearer {rt.api_key}"}

    def text(self, text: str, special: bool = False) -> list[int]:
        tokens: list[int] = httpx.post(f"{self.root}/tokenize", headers=self.headers,
                                       json={"content": text, "add_special": special},
                                       timeout=30).json()["tokens"]
        return tokens

    def chat(self, messages: list[dict[str, str]]) -> list[int]:
        prompt = httpx.post(f"{self.root}/apply-template", headers=self.headers,
                            json={"messages": messages}, timeout=30).json()["prompt"]
        return self.text(prompt, special=True)


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def measure(calls: list[list[BaseMessage]], tok: _Tokens) -> dict[str, Any]:
    roles = {"system": "system", "human": "user", "ai": "assistant"}
    per_call: list[dict[str, Any]] = []
    parts: dict[str, list[int]] = defaultdict(list)
    for messages in calls:
        chat = [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]
        full = tok.chat(chat)
        # What the cache can hold: the prefix shared with any prompt of the same system text.
        static = _common_prefix(full, tok.chat([chat[0], {"role": "user", "content": "\x00"}]))
        user = chat[-1]["content"]
        lines: dict[str, int] = {}
        for line in user.splitlines():
            if line.strip():
                key = line.split(":", 1)[0] if ":" in line[:12] else "other"
                lines[key] = lines.get(key, 0) + len(tok.text(line))
        for key, n in lines.items():
            parts[key].append(n)
        per_call.append({"system": chat[0]["content"][:40], "total": len(full),
                         "static": static, "per_turn": len(full) - static, "lines": lines,
                         "user": user})
    per_turn = [c["per_turn"] for c in per_call]
    return {"calls": len(per_call),
            "per_turn_mean": round(statistics.mean(per_turn), 1),
            "per_turn_median": statistics.median(per_turn),
            "per_turn_max": max(per_turn),
            "static_median": statistics.median(c["static"] for c in per_call),
            "line_tokens_mean": {k: round(statistics.mean(v), 1) for k, v in parts.items()},
            "line_counts": {k: len(v) for k, v in parts.items()},
            "per_call": per_call}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=DEFAULT_MODEL_NAME)
    ap.add_argument("--prompts", type=Path, default=None, help="prompt templates directory")
    ap.add_argument("--model-dir", type=Path,
                    default=Path(os.environ.get("TANDEM_MODEL_DIR", ROOT / "var" / "models")))
    args = ap.parse_args()
    calls = asyncio.run(_captured_prompts(args.prompts))
    rt = EmbeddedRuntime(ensure_embedded_model(args.model_dir, args.model), threads=2,
                         context_tokens=1024)
    rt.start()
    result = measure(calls, _Tokens(rt))
    rt.stop()
    print(f"{result['calls']} model calls; static prefix {result['static_median']} tokens "
          f"(median); per-turn part mean {result['per_turn_mean']}, median "
          f"{result['per_turn_median']}, max {result['per_turn_max']} tokens")
    print("per-turn tokens by line (mean where present, calls): " + ", ".join(
        f"{k} {v} ({result['line_counts'][k]})" for k, v in result["line_tokens_mean"].items()))
    out = write_json(ROOT / "bench" / "results" / "prompt_parts.json", result)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
