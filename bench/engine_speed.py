"""Embedded engine speed: load time, prompt/generation tokens/s, time to first token,
prompt-cache effect and memory.

    python bench/engine_speed.py [--model NAME] [--threads N] [--context N]
                                 [--runtime auto|native|prebuilt] [--json]

Prints a table and writes bench/results/engine_speed.json (--json: prints only the result
as JSON, for `tandem bench`, which runs this once per llama.cpp build it finds, see
agent/llm/runtimes.py).  Token rates come from llama.cpp's own per-request timings; times
to first token are measured client-side over the same local HTTP API the agent uses.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable as a plain script from a checkout

from agent.llm.embedded import EmbeddedRuntime  # noqa: E402
from agent.llm.model_files import DEFAULT_MODEL_NAME, ensure_embedded_model  # noqa: E402
from agent.llm.runtimes import native_info  # noqa: E402
from bench import write_json  # noqa: E402

SHOP_SYSTEM = (
    "You are the shop assistant of TrailHead, an online outdoor gear store. TrailHead sells "
    "hiking boots, trail runners, tents, sleeping bags, backpacks, rain jackets and camp "
    "kitchen gear from brands such as Salomon, Merrell, Osprey and MSR. Orders over 50 EUR "
    "ship free within the EU and arrive in two to four working days. Shoppers may return "
    "unworn items within 30 days for a full refund. Answer in one or two short, friendly "
    "sentences, never invent stock levels or prices, and offer a human colleague when "
    "unsure."
)
OTHER_SYSTEM = "You are a terse assistant for a bicycle repair shop in Utrecht."
QUESTION_A = "Do you have waterproof hiking boots in size 43 for wide feet?"
QUESTION_B = "How long does delivery to Belgium take, and is it free?"
# A long cold prompt: prefill speed from ~100 tokens is mostly per-request overhead.
LONG_SYSTEM = " ".join([SHOP_SYSTEM] * 5)


def _rss() -> dict[str, float]:
    status = Path("/proc/self/status").read_text().splitlines()
    fields = {k: v.split()[0] for k, _, v in (ln.partition(":") for ln in status) if v.split()}
    mib = {k: int(fields.get(k, 0)) / 1024 for k in ("VmRSS", "RssAnon", "RssFile")}
    mib["peak_VmHWM"] = int(fields.get("VmHWM", 0)) / 1024
    mib["peak_ru_maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {k: round(v, 1) for k, v in mib.items()}


def stream_reply(
    rt: EmbeddedRuntime, system: str, question: str, *, max_tokens: int, cache: bool = True,
    temperature: float = 0.0,
) -> dict[str, Any]:
    """One streamed chat completion; returns client timings plus llama.cpp's timings
    (with its speculative drafts, when drafting is on)."""
    body = {
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": question}],
        "max_tokens": max_tokens,
        "temperature": temperature,
        "stream": True,
        "cache_prompt": cache,
    }
    headers = {"Authorization": f"Bearer {rt.api_key}"}
    started = time.perf_counter()
    first: float | None = None
    text, timings = "", dict[str, Any]()
    with httpx.stream(
        "POST", f"{rt.base_url}/chat/completions", json=body, headers=headers, timeout=300
    ) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            timings = event.get("timings", timings)
            for choice in event.get("choices", []):
                delta = choice.get("delta", {}).get("content") or ""
                if delta and first is None:
                    first = time.perf_counter() - started
                text += delta
    total = time.perf_counter() - started
    return {
        "ttft_s": round(first or total, 3),
        "total_s": round(total, 3),
        "prompt_tokens": timings.get("prompt_n", 0) + timings.get("cache_n", 0),
        "prompt_evaluated": timings.get("prompt_n"),
        "prompt_cached": timings.get("cache_n"),
        "prompt_tok_s": round(timings.get("prompt_per_second", 0.0), 1),
        "gen_tokens": timings.get("predicted_n"),
        "gen_tok_s": round(timings.get("predicted_per_second", 0.0), 1),
        "draft": timings.get("draft_n", 0),
        "accepted": timings.get("draft_n_accepted", 0),
        "text": text.strip(),
    }


def measure_engine(rt: EmbeddedRuntime) -> dict[str, Any]:
    """The raw runtime's speed on a started runtime: a cold prompt, a shared prefix, the
    cache switched off, and a stream through the LangChain model the agent uses.  Also the
    engine-limit section of the bench suite (bench/suite.py)."""
    runs: dict[str, dict[str, Any]] = {}
    # Fill the single slot's cache with an unrelated prompt, so the next run starts cold.
    runs["unrelated (warm-up)"] = stream_reply(rt, OTHER_SYSTEM, "Hi", max_tokens=4)
    runs["prompt A, cold cache"] = stream_reply(rt, SHOP_SYSTEM, QUESTION_A, max_tokens=40)
    runs["prompt B, shared prefix"] = stream_reply(rt, SHOP_SYSTEM, QUESTION_B, max_tokens=40)
    runs["prompt B, cache_prompt off"] = stream_reply(
        rt, SHOP_SYSTEM, QUESTION_B, max_tokens=40, cache=False
    )
    runs["long prompt, cold cache"] = stream_reply(rt, LONG_SYSTEM, QUESTION_A, max_tokens=8)
    # End to end through the LangChain model the agent uses (streaming).
    model = rt.chat_model(max_tokens=40, timeout_s=120, temperature=0.0)
    started = time.perf_counter()
    first: float | None = None
    for chunk in model.stream([("system", SHOP_SYSTEM), ("user", "Can I return a used tent?")]):
        if chunk.content and first is None:
            first = time.perf_counter() - started
    langchain = {
        "ttft_s": round(first or 0.0, 3),
        "total_s": round(time.perf_counter() - started, 3),
    }
    cold, long = runs["prompt A, cold cache"], runs["long prompt, cold cache"]
    return {"runtime": rt.choice.describe() if rt.choice else "?",
            "runtime_name": rt.choice.name if rt.choice else "?",
            "runs": runs, "langchain_shopper_reply_shared_prefix": langchain,
            "prompt_tok_s": cold["prompt_tok_s"], "gen_tok_s": cold["gen_tok_s"],
            "long_prompt_tokens": long["prompt_tokens"], "long_prompt_tok_s": long["prompt_tok_s"]}


def other_runtimes(active: str) -> list[str]:
    """The llama.cpp builds on this machine besides ``active`` (the one in this process)."""
    found = ["prebuilt"] + (["native"] if native_info() is not None else [])
    return [name for name in found if name != active]


def measure_in_subprocess(runtime: str, model: str, threads: int, context: int,
                          model_dir: Path) -> dict[str, Any]:
    """measure_engine() on another build: a process of its own, since one process can load
    only one xllamacpp.  Returns {"runtime": ..., "error": ...} when it fails."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--json", "--runtime", runtime,
           "--model", model, "--threads", str(threads), "--context", str(context),
           "--model-dir", str(model_dir)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if out.returncode != 0:
        return {"runtime": runtime, "runtime_name": runtime, "error": out.stderr[-500:]}
    engine: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])["engine"]
    return engine


def engine_line(engine: dict[str, Any]) -> str:
    """One line per build: what `tandem bench` prints."""
    if "error" in engine:
        return f"engine {engine['runtime']}: failed: {engine['error'].strip()[-200:]}"
    return (f"engine {engine['runtime']}: prompt {engine['prompt_tok_s']} tok/s "
            f"({engine['long_prompt_tok_s']} on a {engine['long_prompt_tokens']}-token "
            f"prompt), generation {engine['gen_tok_s']} tok/s (llama.cpp's own timings)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=DEFAULT_MODEL_NAME)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--context", type=int, default=4096)
    ap.add_argument(
        "--model-dir",
        type=Path,
        default=Path(os.environ.get("TANDEM_MODEL_DIR", ROOT / "var" / "models")),
    )
    ap.add_argument("--runtime", choices=("auto", "native", "prebuilt"), default="auto",
                    help="llama.cpp build (default: TANDEM_LLM_RUNTIME, else auto)")
    ap.add_argument("--json", action="store_true", help="print only the result as JSON")
    args = ap.parse_args()

    t0 = time.perf_counter()
    model_path = ensure_embedded_model(args.model_dir, args.model)
    files_s = time.perf_counter() - t0
    rt = EmbeddedRuntime(model_path, threads=args.threads, context_tokens=args.context,
                         runtime=args.runtime)
    rt.start()
    rss_loaded = _rss()

    engine = measure_engine(rt)
    runs, langchain = engine["runs"], engine["langchain_shopper_reply_shared_prefix"]

    result = {
        "model": args.model,
        "threads": args.threads,
        "context": args.context,
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "model_file_check_s": round(files_s, 2),
        "load_s": round(rt.load_seconds or 0.0, 2),
        "rss_after_load_mib": rss_loaded,
        "rss_end_mib": _rss(),
        "runs": runs,
        "langchain_shopper_reply_shared_prefix": langchain,
        "engine": engine,
    }
    rt.stop()
    if args.json:
        print(json.dumps(result))
        return

    print(engine_line(engine))

    print(f"model {args.model}  threads {args.threads}  ctx {args.context}")
    print(f"model file check {result['model_file_check_s']} s, load {result['load_s']} s")
    header = (
        f"{'run':30} {'ttft s':>7} {'total s':>8} {'prompt':>6} {'cached':>6} "
        f"{'pp tok/s':>8} {'gen':>4} {'tg tok/s':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, r in runs.items():
        print(
            f"{name:30} {r['ttft_s']:7.2f} {r['total_s']:8.2f} {r['prompt_tokens']:6} "
            f"{r['prompt_cached']:6} {r['prompt_tok_s']:8.1f} {r['gen_tokens']:4} "
            f"{r['gen_tok_s']:8.1f}"
        )
    print(
        f"LangChain stream, shared prefix: ttft {langchain['ttft_s']} s, "
        f"total {langchain['total_s']} s"
    )
    print(
        f"RSS after load {rss_loaded['VmRSS']} MiB (anon {rss_loaded['RssAnon']}, "
        f"file-backed mmap {rss_loaded['RssFile']}), peak {result['rss_end_mib']['peak_VmHWM']}"
        " MiB"
    )
    out = write_json(ROOT / "bench" / "results" / "engine_speed.json", result)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
