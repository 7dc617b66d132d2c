"""Does the chat model's second opinion pay on messages the classifier is unsure about?

    python -m evals.routing.second_opinion_check [--rows var/route_validation_rows.jsonl]
                                                 [--per-source N] [--provider embedded]

Reads the leave-one-source-out decisions that `python -m evals.routing.validate` wrote
(each message decided by a model that never saw its source), takes the messages the
classifier was unsure about and nothing escalated (up to N per source and route,
hash-chosen), asks the chat model with the prompt and schema the router would use
(`agent.triage.second_opinion.ask`), and prints, per source: how many of the unsure
human messages it sends to a person (recall gained), how many unsure assistant ones it
wrongly sends (precision lost), the share of all messages that would wait for it, and the
seconds per answer.  Scaled to all unsure messages, that is what turning it on would do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from agent.config import LLMConfig
from agent.llm.factory import make_chat_model
from agent.prompts import prompt_library
from agent.triage.second_opinion import ask
from evals.routing.datasets import sample_order

ROOT = Path(__file__).resolve().parents[2]


async def _judge(rows: list[dict[str, Any]], provider: str) -> list[tuple[bool | None, float]]:
    model = make_chat_model(LLMConfig(provider=provider, max_tokens=16))  # type: ignore[arg-type]
    prompts = prompt_library(ROOT / "prompts")
    out = []
    for row in rows:
        started = time.perf_counter()
        answer = await ask(model, prompts, row["text"], timeout_s=90.0)
        out.append((answer, time.perf_counter() - started))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=Path, default=Path("var") / "route_validation_rows.jsonl")
    parser.add_argument("--per-source", type=int, default=15,
                        help="unsure messages asked per source and true route")
    parser.add_argument("--provider", default="embedded")
    parser.add_argument("--json", type=Path, default=Path("var") / "second_opinion.json")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines()]
    total: dict[str, int] = defaultdict(int)
    humans: dict[str, int] = defaultdict(int)
    pools: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        total[row["source"]] += 1
        humans[row["source"]] += row["route"] == "human"
        if row["unsure"] and not row["escalate"]:
            pools[(row["source"], row["route"])].append(row)
    asked: list[dict[str, Any]] = []
    for pool in pools.values():
        pool.sort(key=lambda r: sample_order(r["text"]))
        asked.extend(pool[: args.per_source])
    answers = asyncio.run(_judge(asked, args.provider))
    report: dict[str, Any] = {}
    for source in sorted(total):
        mine = [(r, a) for r, a in zip(asked, answers, strict=True) if r["source"] == source]
        if not mine:
            continue
        part: dict[str, Any] = {"messages": total[source], "human": humans[source]}
        for route in ("human", "assistant"):
            judged = [a for r, a in mine if r["route"] == route]
            person = sum(1 for answer, _ in judged if answer)
            unsure = len(pools[(source, route)])
            rate = person / len(judged) if judged else 0.0
            part[route] = {"unsure": unsure, "asked": len(judged), "said_person": person,
                           "no_answer": sum(1 for answer, _ in judged if answer is None)}
            part[f"{route}_flipped_estimate"] = round(unsure * rate, 1)
        part["recall_gain"] = (round(part["human_flipped_estimate"] / humans[source], 4)
                               if humans[source] else None)
        part["share_waiting"] = round((part["human"]["unsure"] + part["assistant"]["unsure"])
                                      / total[source], 4)
        report[source] = part
    seconds = sorted(s for _, s in answers)
    report["seconds_per_answer"] = {
        "p50": round(seconds[len(seconds) // 2], 2) if seconds else None,
        "p95": round(seconds[int(len(seconds) * 0.95)], 2) if seconds else None,
        "asked": len(seconds)}
    report["asked"] = [{"text": r["text"], "source": r["source"], "route": r["route"],
                        "answer": a} for r, (a, _) in zip(asked, answers, strict=True)]
    print(json.dumps({k: v for k, v in report.items() if k != "asked"}, indent=1))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
