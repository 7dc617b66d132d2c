"""Build the held-out routing dev file from `../shared/data` (never committed).

    python -m evals.routing.build_dev --data ../shared/data [--out var/route_dev.jsonl]

Rows are JSON lines `{"text", "route", "source"}`, `route` being `human` or `assistant`:

- `bitext`: the Bitext template families the triage model never trained on (about 20%,
  hashed by family: no template on both sides), routed by the intent mapping in
  ../shared/data/README.md;
- `goemotions`: GoEmotions `dev.tsv`, `human` when emotionally charged (same README);
- `clinc150`: 1,000 of CLINC150 `val` + `oos_val` (hash-chosen): calm off-topic questions,
  `assistant`, except card declines and fraud reports (payment problems);
- `tau`: the 20 tau-bench `tasks_dev` tasks as first messages, routed by their actions
  (`evals.routing.tau_tasks`);
- `shopper`: routine storefront questions from templates written for this eval (product
  search, sizing, order status, policy questions, small talk), `assistant`; they check
  that the classifier does not take routine turns away from the assistant.

Splits are those of `evals.routing.datasets`, so nothing here was trained on.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from pathlib import Path

from evals.routing.datasets import load_all

SEED = 29
_ITEMS = ("hiking boots", "rain jacket", "down jacket", "fleece", "base layer", "tent",
          "sleeping bag", "trail running shoes", "backpack", "t-shirt", "shorts", "beanie")
_TEMPLATES = (
    "do you have a {item} under ${price}?", "{item} in size {size}", "I need a {item}",
    "looking for a waterproof {item}, size {size}", "what {item} would you recommend for {use}?",
    "is the {item} good for {use}?", "what size {item} should I get, I'm usually a {size}",
    "does the {item} run small?", "show me {color} {item}s", "any {item} on sale?",
    "is the {color} {item} in stock in {size}?", "which {item} is warmest?",
    "compare your two cheapest {item}s", "where is my order #R{order}",
    "has order R{order} shipped yet?", "when will my {item} arrive?",
    "what is your return policy?", "how long do I have to return a {item}?",
    "do you ship to {place}?", "how much is delivery to {place}?",
    "can I pick up the {item} at the {place} store?", "hi", "thanks, that helps",
    "what materials is the {item} made of?", "is the {item} machine washable?",
    "hiking boots size {size}", "{item} for {use} under ${price}, size {size}",
)
_FILL = {
    "price": ("50", "100", "150", "200", "300"), "size": ("S", "M", "L", "XL", "9", "10", "11"),
    "use": ("winter hiking", "trail running", "camping in the rain", "a beginner", "travel"),
    "color": ("black", "red", "navy", "green"), "order": ("10023", "10508", "11042", "10777"),
    "place": ("Portland", "Seattle", "Canada", "Denver"),
}


def shopper_messages(n: int) -> list[str]:
    rng = random.Random(SEED)
    out: set[str] = set()
    for template in itertools.cycle(_TEMPLATES):
        if len(out) >= n:
            break
        values = {k: rng.choice(v) for k, v in _FILL.items()} | {"item": rng.choice(_ITEMS)}
        out.add(template.format(**values))
        if len(out) < n and rng.random() < 0.01:
            rng.seed(rng.random())  # vary the walk; still deterministic
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="the external data folder (e.g. ../shared/data)")
    parser.add_argument("--out", type=Path, default=Path("var") / "route_dev.jsonl")
    parser.add_argument("--shopper", type=int, default=300,
                        help="how many routine shopper messages to add")
    args = parser.parse_args()
    if not (args.data / "bitext").is_dir():
        raise SystemExit(f"{args.data}: no bitext/ folder; pass --data PATH/TO/shared/data")
    rows = [{"text": e.text, "route": e.route, "source": e.source}
            for e in load_all(args.data)["dev"]]
    rows += [{"text": t, "route": "assistant", "source": "shopper"}
             for t in shopper_messages(args.shopper)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, list[int]] = {}
    for row in rows:
        pair = counts.setdefault(row["source"], [0, 0])
        pair[row["route"] == "human"] += 1
    for source, (assistant, human) in sorted(counts.items()):
        print(f"{source:<11} {assistant + human:>6} rows, {human:>5} human")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
