"""Does llama.cpp's self-speculative (n-gram / prompt-lookup) decoding pay for Tandem's replies?

    python bench/speculative.py [--rounds N] [--types none,ngram_simple:4:8,...] [--runtime ...]

Tandem's replies copy facts from the prompt (product names, prices, sizes, order numbers),
which is where drafting from the prompt's own n-grams could help.  For each setting this
starts the embedded runtime, warms the replies' system prompt into the cache, and streams
the reply prompts Tandem itself renders (prompts/system.j2 + reply.j2) for discovery,
sizing and order turns, at the product's temperature; per setting it prints generated
tokens/s, time to first token, whole-reply time and the drafts accepted.  Settings run back
to back in one process; writes bench/results/speculative.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable as a plain script from a checkout

from agent.llm.embedded import EmbeddedRuntime  # noqa: E402
from agent.llm.model_files import DEFAULT_MODEL_NAME, ensure_embedded_model  # noqa: E402
from agent.prompts import prompt_library  # noqa: E402
from bench import write_json  # noqa: E402
from bench.engine_speed import stream_reply  # noqa: E402

_PRODUCTS = [
    {"name": "Summit Shell Rain Jacket", "price": 189.0, "alternative": None},
    {"name": "Trailhead Packable Windbreaker", "price": 74.5, "alternative": None},
    {"name": "Alpine Storm 3L Jacket", "price": 199.99,
     "alternative": "Ridge Pro Hardshell, sold out in M"},
]
TURNS: list[dict[str, Any]] = [
    {"intent": "discovery", "shopper": "waterproof hiking jacket under $200, size M",
     "facts": {"products": _PRODUCTS, "constraints": {"size": "M", "max_price": 200}}},
    {"intent": "order_status", "shopper": "where is my order #R10508? it's jo@example.com",
     "facts": {"order": {"id": "R10508", "status_words": "shipped", "carrier": "DHL",
                         "items": ["Summit Shell Rain Jacket (M)", "Merino Crew Socks (L)"],
                         "tracking_number": "JD014600006281230945",
                         "expected_delivery": "Tuesday 8 December"}}},
    {"intent": "sizing", "shopper": "I wear 42 in most boots, which size of the Granite GTX?",
     "facts": {"product": "Granite GTX Hiking Boot", "advice": "43", "chart": "EU 42 = 26.5 cm",
               "fit": "runs half a size small", "confidence": "high",
               "because": "shoppers who wear 42 elsewhere kept the 43"}},
    {"intent": "discovery", "shopper": "do you have a 2 person tent under 300?",
     "facts": {"products": [{"name": "Ridgeline 2P Backpacking Tent", "price": 279.0,
                             "alternative": None},
                            {"name": "Cascade Dome 2 Tent", "price": 164.95,
                             "alternative": None}],
               "constraints": {"size": None, "max_price": 300}}},
]


class _Runtime(EmbeddedRuntime):
    """The embedded runtime with the n-gram lengths of the drafts set (bench knobs only):
    llama.cpp's defaults look up 12-token n-grams, longer than most facts a reply copies."""

    def __init__(self, *args: Any, ngram: tuple[int, int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ngram = ngram

    def _params(self, xllamacpp: Any) -> Any:
        params = super()._params(xllamacpp)
        if self.ngram:
            for name in ("ngram_simple", "ngram_map_k", "ngram_map_k4v"):
                getattr(params.speculative, name).size_n = self.ngram[0]
                getattr(params.speculative, name).size_m = self.ngram[1]
        return params


def _stream(rt: EmbeddedRuntime, system: str, user: str, max_tokens: int) -> dict[str, Any]:
    """The engine bench's streamed completion, with the CPU seconds it took."""
    cpu0 = _cpu_s()
    run = stream_reply(rt, system, user, max_tokens=max_tokens, temperature=0.2)
    return run | {"gen_tokens": run["gen_tokens"] or 0, "cpu_s": _cpu_s() - cpu0}


def _cpu_s() -> float:
    """This process's CPU seconds (the runtime's threads included): on a machine shared with
    other jobs, wall-clock rates say more about them than about the setting."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(model: Path, setting: str, rounds: int, runtime: str | None,
            draft_max: int, threads: int = 2) -> dict[str, Any]:
    """``setting``: "none", or a speculative type with optional n-gram sizes, e.g.
    "ngram_simple" or "ngram_simple:4:8" (look up 4-token n-grams, draft up to 8)."""
    prompts = prompt_library(ROOT / "prompts")
    system = prompts.render("system")
    kind, *sizes = setting.split(":")
    ngram = (int(sizes[0]), int(sizes[1])) if len(sizes) == 2 else None
    rt = _Runtime(model, threads=threads, context_tokens=2048, runtime=runtime, ngram=ngram,
                  speculative=None if kind == "none" else kind, draft_max=draft_max)
    rt.start()
    rt.warm_up(system)
    runs = [_stream(rt, system, prompts.render("reply", reply_language="English",
                                               suggestions=[], **turn), 160)
            for _ in range(rounds) for turn in TURNS]
    rt.stop()
    gen = sum(r["gen_tokens"] for r in runs)
    return {"type": setting, "runtime": rt.choice.describe() if rt.choice else "?",
            "replies": len(runs), "gen_tokens": gen,
            "gen_tok_s": round(gen / sum(r["total_s"] - r["ttft_s"] for r in runs), 1),
            "tokens_per_cpu_s": round(gen / sum(r["cpu_s"] for r in runs), 2),
            "engine_gen_tok_s_median": round(statistics.median(r["gen_tok_s"] for r in runs), 1),
            "ttft_p50_s": round(statistics.median(r["ttft_s"] for r in runs), 3),
            "total_p50_s": round(statistics.median(r["total_s"] for r in runs), 3),
            "total_max_s": round(max(r["total_s"] for r in runs), 3),
            "drafted": sum(r["draft"] for r in runs),
            "accepted": sum(r["accepted"] for r in runs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=DEFAULT_MODEL_NAME)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--types", default="none,ngram_simple,ngram_simple:4:8,ngram_map_k:4:8,"
                    "ngram_mod,none")
    ap.add_argument("--runtime", choices=("auto", "native", "prebuilt"), default=None)
    ap.add_argument("--draft-max", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2,
                    help="1 on a busy machine: no spin-waiting, so CPU seconds compare")
    ap.add_argument("--model-dir", type=Path,
                    default=Path(os.environ.get("TANDEM_MODEL_DIR", ROOT / "var" / "models")))
    args = ap.parse_args()
    model = ensure_embedded_model(args.model_dir, args.model)
    load = [round(x, 2) for x in os.getloadavg()]
    results = [measure(model, kind, args.rounds, args.runtime, args.draft_max, args.threads)
               for kind in args.types.split(",")]
    print(f"load average at start {load}; runtime {results[0]['runtime']}")
    print(f"{'speculative':18}{'replies':>8}{'gen tok/s':>10}{'engine':>8}{'ttft p50':>9}"
          f"{'total p50':>10}{'max':>7}{'drafted':>8}{'accepted':>9}{'tok/cpu-s':>10}")
    for r in results:
        print(f"{r['type']:18}{r['replies']:>8}{r['gen_tok_s']:>10}"
              f"{r['engine_gen_tok_s_median']:>8}{r['ttft_p50_s']:>9}{r['total_p50_s']:>10}"
              f"{r['total_max_s']:>7}{r['drafted']:>8}{r['accepted']:>9}"
              f"{r['tokens_per_cpu_s']:>10}")
    out = write_json(ROOT / "bench" / "results" / "speculative.json",
                     {"load_average": load, "results": results})
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
