"""A shopper's wait behind a running AI handoff summary, with the embedded model.

    python bench/background_priority.py [--rounds N] [--head-start S] [--summary-tokens T]
                                        [--threads N]

Three ways a shopper's reply can meet the model, each `--rounds` times in one process:

- `idle`: nothing else generating (the baseline);
- `fifo`: an AI summary draft started `--head-start` seconds earlier holds the only slot
  and the gate serves in arrival order, as before priorities (the queue deadline is
  lifted here so the whole wait is measured; the server's default of 10 s would have
  answered "one moment" to any wait beyond it);
- `priority`: the same, with the summary at background priority: the gate stops it,
  the shopper's reply runs, and the summary starts again afterwards.

For each it reports the shopper's wait for a slot and time to first token (the shopper's
stream is closed at its first token: what follows is the same in every mode), and the
summary's own total time (for `priority`, the price of stopping and restarting it).  Prompts are
the real ones (`prompts/system.j2`, `handoff_summary*.j2`) and the summary's JSON schema
is the real one.  Writes bench/results/background_priority.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable as a plain script from a checkout

from langchain_core.language_models import BaseChatModel  # noqa: E402
from langchain_core.messages import (  # noqa: E402
    BaseMessage,
    BaseMessageChunk,
    HumanMessage,
    SystemMessage,
)

from agent.config import LLMConfig  # noqa: E402
from agent.llm.factory import make_chat_model, warm_up  # noqa: E402
from agent.llm.limits import GatedChatModel, GenerationGate  # noqa: E402
from agent.llm.structured import JSON_MAX_TOKENS, ask_json  # noqa: E402
from agent.prompts import prompt_library  # noqa: E402
from api.services.summaries import HandoffDraft  # noqa: E402

TRANSCRIPT = [
    "shopper: hi, my order #R10001 arrived yesterday and the jacket has a torn sleeve",
    "assistant: I'm sorry to hear that. Could you tell me the email on the order?",
    "shopper: aisha.taylor@example.com. This is the second time, I am really annoyed",
    "shopper: I want a refund of the $139, not another jacket",
]
SHOPPER_FACTS = ("Shopper: waterproof hiking jacket under $200, size M\n"
                 "Products: Cascade Rain Shell, $139, size M, green; "
                 "Torrent Waterproof Anorak, $179, size M, blue\n"
                 "Write the reply.")


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 2), "max": round(ordered[-1], 2),
            "min": round(ordered[0], 2)}


async def _shopper_turn(model: BaseChatModel, gate: GenerationGate,
                        prompt: list[BaseMessage]) -> dict[str, float]:
    waited_before = gate.metrics.shopper.wait_seconds_total
    started = time.perf_counter()
    first = float("nan")
    stream = cast(AsyncGenerator[BaseMessageChunk, None], model.astream(prompt))
    async with aclosing(stream) as chunks:
        async for chunk in chunks:
            if chunk.content:
                first = time.perf_counter() - started
                break
    return {"wait_s": gate.metrics.shopper.wait_seconds_total - waited_before,
            "ttft_s": first}


async def _round(mode: str, inner: BaseChatModel, head_start: float, summary_tokens: int,
                 system: str, summary_prompt: list[BaseMessage]) -> dict[str, float]:
    # A deadline no wait reaches: the fifo round measures the whole wait.
    gate = GenerationGate(max_concurrent=1, max_waiting=4, max_wait_s=3600.0)
    shopper = GatedChatModel(inner=inner, gate=gate)
    shopper_prompt = [SystemMessage(system), HumanMessage(SHOPPER_FACTS)]
    if mode == "idle":
        return await _shopper_turn(shopper, gate, shopper_prompt)
    summariser = shopper.background() if mode == "priority" else shopper
    summary_started = time.perf_counter()
    summary = asyncio.create_task(ask_json(summariser, summary_prompt, HandoffDraft,
                                           timeout_s=3600.0, attempts=1,
                                           max_tokens=summary_tokens))
    await asyncio.sleep(head_start)
    result = await _shopper_turn(shopper, gate, shopper_prompt)
    draft = await summary
    result["summary_s"] = time.perf_counter() - summary_started
    result["summary_ok"] = float(draft is not None)
    result["preempted"] = float(gate.metrics.background.preempted)
    return result


async def run(rounds: int, head_start: float, summary_tokens: int, threads: int
              ) -> dict[str, Any]:
    config = LLMConfig(provider="embedded", timeout_s=1800.0, threads=threads)
    prompts = prompt_library(ROOT / "prompts")
    system = prompts.render("system")
    warm_up(config, system)
    inner = make_chat_model(config)
    summary_prompt: list[BaseMessage] = [
        SystemMessage(prompts.render("handoff_summary_system")),
        HumanMessage(prompts.render("handoff_summary", transcript=TRANSCRIPT))]
    by_mode: dict[str, list[dict[str, float]]] = {"idle": [], "fifo": [], "priority": []}
    for index in range(rounds):
        for mode in by_mode:  # interleaved, so a slower minute of the machine hits all three
            row = await _round(mode, inner, head_start, summary_tokens, system,
                               summary_prompt)
            by_mode[mode].append(row)
            print(f"round {index + 1} {mode:8s} " + " ".join(
                f"{k}={v:.2f}" for k, v in row.items()), flush=True)
    summary: dict[str, Any] = {}
    for mode, rows in by_mode.items():
        summary[mode] = {key: _percentiles([r[key] for r in rows]) for key in rows[0]
                         if key not in ("summary_ok", "preempted")}
        if mode != "idle":
            summary[mode]["summaries_ok"] = sum(int(r["summary_ok"]) for r in rows)
    return {"rounds": rounds, "head_start_s": head_start, "summary_tokens": summary_tokens,
            "threads": threads,
            "summary": summary, "rows": by_mode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--head-start", type=float, default=2.0,
                        help="seconds the summary generates before the shopper writes")
    parser.add_argument("--summary-tokens", type=int, default=JSON_MAX_TOKENS,
                        help="the summary's token limit (the server's: %(default)s)")
    parser.add_argument("--threads", type=int, default=LLMConfig().threads,
                        help="the runtime's CPU threads (1 holds up far better on cores "
                             "other work is using)")
    args = parser.parse_args()
    result = asyncio.run(run(args.rounds, args.head_start, args.summary_tokens, args.threads))
    print(json.dumps(result["summary"], indent=2))
    idle = result["summary"]["idle"]["ttft_s"]["p50"]
    for mode in ("fifo", "priority"):
        ttft = result["summary"][mode]["ttft_s"]["p50"]
        print(f"{mode}: shopper first token p50 {ttft:.2f} s = {ttft / idle:.1f}x idle "
              f"({idle:.2f} s)")
    out = ROOT / "bench" / "results" / "background_priority.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
