"""The bench suite: Tandem against the usual ReAct design, same model, same store, one run.

    tandem bench [--provider embedded|scripted] [--model 1.5b|0.5b] [--rounds N]
    make bench                       (the same, embedded, configured model)
    python -m bench.suite ...        (from a checkout)

On a fresh SQLite copy of the demo store it measures, in one process:

- engine limit: the raw runtime's prompt and generation tokens/s (bench/engine_speed.py),
  one line per llama.cpp build found (the one Tandem runs on, and the others measured in
  a process of their own just before);
- Tandem: the bench conversations (bench/conversations.py) through the real turn service,
  per turn the model calls, prompt and completion tokens, time to first streamed token,
  whole-reply time and the time outside the model, recorded by LangChain callbacks
  (bench/usage.py); and where the time goes, per graph node;
- baseline: the same conversations through LangGraph's prebuilt ReAct agent with the same
  tools and model (bench/react_baseline.py);
- ratios, grounded answers (bench/grounding.py), memory, and the issue's targets.

Prints a table and writes bench/results/bench_<provider>_<model>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from sqlmodel import Session

from agent.commerce.demo_store import build_demo_store
from agent.commerce.inventory import DatabaseInventory
from agent.commerce.semantic import index_products
from agent.llm.model_files import PACKAGED_MODELS
from agent.prompts import prompt_library
from api.db import engine_for, session_scope
from api.settings import Settings, get_settings
from bench import RESULTS_DIR
from bench.conversations import Conversation, bench_conversations
from bench.engine_speed import _rss, measure_engine, measure_in_subprocess, other_runtimes
from bench.react_baseline import run_react
from bench.report import profile, ratios, render, summarize, targets
from bench.scripted_models import scripted_react_model, scripted_tandem_model
from bench.tandem_run import run_tandem

MODELS = {"1.5b": "qwen2.5-coder-1.5b-instruct-q4_k_m",
          "0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m"}
WARM_UP_TURN = "hi"
# The ReAct baseline's prompts (tool schemas, tool results, history) outgrow Tandem's
# default 2048-token context; both run on one runtime, so it gets room for the baseline.
BENCH_CONTEXT_TOKENS = 4096


@dataclass(frozen=True)
class BenchOptions:
    provider: str = "embedded"
    model: str | None = None
    """"1.5b", "0.5b" or a packaged model's name; None: the configured one."""
    threads: int | None = None
    rounds: int = 1
    baseline: bool = True


@dataclass
class _Models:
    tandem: BaseChatModel
    react: BaseChatModel
    engine: dict[str, Any]
    count_prompt: Callable[[list[BaseMessage]], int]
    """Prompt tokens of a call whose stream was closed early (no usage report came)."""
    load_s: float = 0.0
    warm_up_s: float = 0.0


def _count_words(messages: list[BaseMessage]) -> int:
    return sum(len(str(m.content).split()) for m in messages)  # as the scripted model counts


def _llama_counter(base_url: str, api_key: str) -> Callable[[list[BaseMessage]], int]:
    """Counts a prompt with the runtime's own chat template and tokenizer."""
    root = base_url.removesuffix("/v1")
    roles = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}

    def count(messages: list[BaseMessage]) -> int:
        headers = {"Authorization": f"Bearer {api_key}"}
        body = {"messages": [{"role": roles.get(m.type, "user"), "content": str(m.content)}
                             for m in messages]}
        prompt = httpx.post(f"{root}/apply-template", json=body, headers=headers,
                            timeout=30).json()["prompt"]
        tokens = httpx.post(f"{root}/tokenize", json={"content": prompt, "add_special": True},
                            headers=headers, timeout=30).json()["tokens"]
        return len(tokens)

    return count


def _settings(options: BenchOptions, database_url: str) -> Settings:
    base = get_settings()
    model = MODELS.get(options.model or "", options.model) or base.llm_model
    if options.provider == "embedded" and model not in PACKAGED_MODELS:
        raise ValueError(f"unknown embedded model {model!r}; use 1.5b, 0.5b or one of "
                         f"{', '.join(PACKAGED_MODELS)}")
    return base.model_copy(update={
        "database_url": database_url, "llm_provider": options.provider, "llm_model": model,
        "llm_threads": options.threads or base.llm_threads,
        "llm_context_tokens": max(base.llm_context_tokens, BENCH_CONTEXT_TOKENS)})


def _load_models(settings: Settings) -> _Models:
    if settings.llm_provider == "scripted":
        return _Models(scripted_tandem_model(), scripted_react_model(),
                       {"skipped": "scripted provider: no engine to measure"}, _count_words)
    if settings.llm_provider != "embedded":
        raise ValueError("the bench runs the embedded runtime or the scripted stand-ins")
    from agent.llm.embedded import get_runtime
    from agent.llm.model_files import ensure_embedded_model
    from agent.llm.runtimes import choose_runtime

    path = ensure_embedded_model(settings.model_dir, settings.llm_model)
    # Every other llama.cpp build on this machine first, each in a process of its own and
    # back to back with this one, so their engine lines compare within one run.
    others = [measure_in_subprocess(name, settings.llm_model, settings.llm_threads,
                                    settings.llm_context_tokens, settings.model_dir)
              for name in other_runtimes(choose_runtime().name)]
    started = time.perf_counter()
    runtime = get_runtime(path, settings.llm_threads, settings.llm_context_tokens)
    runtime.start()
    load_s = time.perf_counter() - started
    engine = measure_engine(runtime) | {"others": others}
    # As at server start: the replies' static system prompt goes into the prompt cache.
    warm_up_s = runtime.warm_up(prompt_library(settings.prompts_dir).render("system"))
    tandem = runtime.chat_model(max_tokens=settings.llm_max_tokens,
                                timeout_s=settings.llm_timeout_s)
    react = runtime.chat_model(max_tokens=settings.llm_max_tokens,
                               timeout_s=settings.llm_timeout_s)
    return _Models(tandem, react, engine, _llama_counter(runtime.base_url, runtime.api_key),
                   load_s, warm_up_s)


def _build_store(url: str) -> None:
    with session_scope(engine_for(url)) as session:
        build_demo_store(session, seed=7)
        session.flush()
        index_products(session)


async def _run(options: BenchOptions, settings: Settings,
               conversations: list[Conversation], models: _Models
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tandem: list[dict[str, Any]] = []
    react: list[dict[str, Any]] = []
    engine = engine_for(settings.database_url)
    for _ in range(options.rounds):
        tandem += await run_tandem(settings, models.tandem, conversations,
                                   warm_up=WARM_UP_TURN, count_prompt=models.count_prompt)
        if options.baseline:
            react += await run_react(models.react, engine, DatabaseInventory(engine),
                                     prompt_library(settings.prompts_dir), conversations,
                                     region=settings.shopper_region, warm_up=WARM_UP_TURN)
    return tandem, react


def _section(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"routine": summarize([r for r in records if r["routine"]]),
            "all": summarize(records), "turns": records}


async def run_bench(options: BenchOptions) -> dict[str, Any]:
    """Run the whole suite; returns the result (also what is written as JSON)."""
    # Other work on the machine slows the model down: say how busy it was before we began.
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        _build_store(url)
        settings = _settings(options, url)
        with Session(engine_for(url)) as session:
            conversations = bench_conversations(session)
        models = _load_models(settings)
        memory = {"rss_loaded": _rss()["VmRSS"]}
        tandem, react = await _run(options, settings, conversations, models)
        rss = _rss()
        memory |= {"rss_serving": rss["VmRSS"], "peak": rss["peak_VmHWM"]}
        engine_for(url).dispose()
    result: dict[str, Any] = {
        "provider": settings.llm_provider,
        "model": settings.llm_model if settings.llm_provider == "embedded" else "scripted",
        "threads": settings.llm_threads, "context_tokens": settings.llm_context_tokens,
        "rounds": options.rounds, "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "load_average": load_at_start,
        "model_load_s": round(models.load_s, 2), "warm_up_s": round(models.warm_up_s, 2),
        "engine": models.engine, "tandem": _section(tandem), "baseline": _section(react),
        "memory_mib": memory, "profile": profile(tandem),
    }
    if options.baseline:
        result["ratios"] = ratios(result["tandem"]["routine"], result["baseline"]["routine"])
        result["targets"] = targets(result)
    return result


def write_result(result: dict[str, Any], out: Path | None = None) -> Path:
    model = result["model"].split("-instruct")[0].replace("qwen2.5-coder-", "")
    path = out or RESULTS_DIR / f"bench_{result['provider']}_{model}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=("embedded", "scripted"), default="embedded")
    parser.add_argument("--model", default=None, help="1.5b, 0.5b or a packaged model name")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    result = asyncio.run(run_bench(BenchOptions(
        provider=args.provider, model=args.model, threads=args.threads, rounds=args.rounds)))
    print(render(result))
    print(f"wrote {write_result(result, args.out)}")


if __name__ == "__main__":
    main()
