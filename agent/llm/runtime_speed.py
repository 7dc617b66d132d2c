"""Which llama.cpp build is faster on this CPU, measured: the native build or the wheel.

A build compiled for this CPU is not always the faster one.  On the Intel machine with
AVX-512 it prefilled 1.5-2x faster than the prebuilt AVX2 wheel; on an AMD EPYC with AVX2
only (2026-12-07) it was about 20% slower on long prompts (42.6-44.2 against 52.6-54.3
prompt tok/s), the wheel's kernels being the better ones there.  So after a build, each
runtime answers the same requests in a fresh process of its own, alternately, and the
build's record keeps the figures; `auto` loads the native build only when it measured
faster (agent/llm/runtimes.py).

The figure compared is what a turn waits for: the model time of a typical routine turn,
`TURN_PROMPT_TOKENS` uncached prompt tokens at the measured prefill rate plus
`TURN_REPLY_TOKENS` generated at the measured generation rate (bench: 38-54 uncached
prompt tokens and 17-30 reply tokens per model call).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from agent.llm.build_process import run_on_build

TURN_PROMPT_TOKENS = 50
TURN_REPLY_TOKENS = 30
ROUNDS = 2
MARGIN = 1.05
"""The native build must be this much faster to be chosen: the wheel is the tested one."""

_PROBE = r"""
import httpx
from agent.llm.embedded import EmbeddedRuntime
rt = EmbeddedRuntime(args[0], threads=2, context_tokens=2048,
                     runtime=None if site else "prebuilt")
rt.start()
system = ("You are the shop assistant of an outdoor gear store. " * 12).strip()
rates = []
for n, question in enumerate(("Do you have waterproof hiking boots in size 43?",
                              "How long does delivery to Belgium take?",
                              "Which tent is lightest for two people?")):
    body = {"messages": [{"role": "system", "content": system},
                         {"role": "user", "content": question}],
            "max_tokens": 32, "temperature": 0, "cache_prompt": False}
    reply = httpx.post(f"{rt.base_url}/chat/completions", json=body, timeout=300,
                       headers={"Authorization": f"Bearer {rt.api_key}"}).json()
    timings = reply["timings"]
    if n:  # the first request warms the engine up
        rates.append((timings["prompt_per_second"], timings["predicted_per_second"]))
rt.stop()
print(json.dumps({"prompt_tok_s": sum(r[0] for r in rates) / len(rates),
                  "gen_tok_s": sum(r[1] for r in rates) / len(rates)}))
"""


def turn_seconds(prompt_tok_s: float, gen_tok_s: float) -> float:
    """The model time of a typical routine turn at these rates."""
    return TURN_PROMPT_TOKENS / prompt_tok_s + TURN_REPLY_TOKENS / gen_tok_s


def probe(site: Path | None, model: Path) -> dict[str, float]:
    """Prefill and generation tokens/s of one runtime (`site`: the native build's package
    directory; None: the prebuilt wheel), in a process of its own."""
    rates = run_on_build(_PROBE, site, str(model), timeout=900, what="the speed probe")
    return {"prompt_tok_s": float(rates["prompt_tok_s"]), "gen_tok_s": float(rates["gen_tok_s"])}


def compare(site: Path, model: Path, rounds: int = ROUNDS) -> dict[str, Any]:
    """Both runtimes, alternately, `rounds` times each; the medians and the faster one."""
    runs: dict[str, list[dict[str, float]]] = {"native": [], "prebuilt": []}
    for _ in range(rounds):
        runs["native"].append(probe(site, model))
        runs["prebuilt"].append(probe(None, model))
    return summarise(runs)


def summarise(runs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Each runtime's median rates and turn time, and which is faster by the rule."""
    result: dict[str, Any] = {}
    for name, measured in runs.items():
        prompt = statistics.median(r["prompt_tok_s"] for r in measured)
        gen = statistics.median(r["gen_tok_s"] for r in measured)
        result[name] = {"prompt_tok_s": round(prompt, 1), "gen_tok_s": round(gen, 1),
                        "turn_s": round(turn_seconds(prompt, gen), 3)}
    native_faster = result["native"]["turn_s"] * MARGIN <= result["prebuilt"]["turn_s"]
    result["faster"] = "native" if native_faster else "prebuilt"
    result["rule"] = (f"a typical turn's model time ({TURN_PROMPT_TOKENS} prompt tokens, "
                      f"{TURN_REPLY_TOKENS} generated); native only if {MARGIN}x faster")
    return result
