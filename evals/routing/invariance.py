"""Does the way a message is addressed change where it goes?  Decision flips on external data.

    python -m evals.routing.invariance [--data ../shared/data] [--per-source 400] [--json]

A complaint posted to a brand reads "@AmazonHelp my parcel never came https://t.co/...":
the handle and the link say who and where, not what the shopper needs, so the escalation
decision should be the same with and without them.  This takes the dev split of every
source in `../shared/data` (at most `--per-source` messages each, by the validation's hash
order), decides each message as written and addressed to a brand (a handle before it, a
link after it), exactly as the router decides (`EscalationPolicy.decide`), and reports per
source how many decisions flipped, each way, and recall / precision as written and as
addressed.  The handles and the link are chosen by a hash of the text (deterministic).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.escalation import EscalationPolicy, load_policy
from evals.routing.datasets import SOURCES, Example, capped, load_all
from evals.routing.evaluation import scores
from evals.routing.validate import POLICY

HANDLES = ("@AmazonHelp", "@AppleSupport", "@Walmart", "@TargetHelp", "@asos_heretohelp",
           "@SpotifyCares", "@UPSHelp", "@Zalando")


def _pick(text: str, choices: tuple[str, ...]) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).digest()
    return choices[digest[0] % len(choices)]


def _link(text: str) -> str:
    return "https://t.co/" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


ADDRESSINGS: dict[str, Callable[[str], str]] = {
    "handle": lambda text: f"{_pick(text, HANDLES)} {text}",
    "link": lambda text: f"{text} {_link(text)}",
    "handle+link": lambda text: f"{_pick(text, HANDLES)} {text} {_link(text)}",
}


def flips(policy: EscalationPolicy, examples: list[Example]) -> dict[str, Any]:
    """Per source and addressing: decisions that flipped, each way, and the scores."""
    report: dict[str, Any] = {}
    for source in SOURCES:
        rows = [e for e in examples if e.source == source]
        if not rows:
            continue
        gold = [e.route == "human" for e in rows]
        written = [policy.decide(e.text).escalate for e in rows]
        entry: dict[str, Any] = {"n": len(rows), "as written": scores(gold, written)}
        for name, address in ADDRESSINGS.items():
            addressed = [policy.decide(address(e.text)).escalate for e in rows]
            pairs = list(zip(written, addressed, strict=True))
            entry[name] = scores(gold, addressed) | {
                "to_person": sum(a and not w for w, a in pairs),
                "to_assistant": sum(w and not a for w, a in pairs)}
        report[source] = entry
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--per-source", type=int, default=400,
                        help="at most this many dev-split messages of each source")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    if not (args.data / "bitext").is_dir():
        raise SystemExit(f"{args.data}: no bitext/ folder; pass --data PATH/TO/shared/data")
    dev = capped(load_all(args.data)["dev"], dict.fromkeys(SOURCES, args.per_source))
    report = flips(load_policy(POLICY), dev)
    if args.json:
        print(json.dumps(report, indent=1))
        return
    for source, entry in report.items():
        written = entry["as written"]
        print(f"{source} ({entry['n']}): as written recall {written['recall']} "
              f"precision {written['precision']}")
        for name in ADDRESSINGS:
            e = entry[name]
            print(f"  {name:12} recall {e['recall']} precision {e['precision']}; flipped "
                  f"{e['to_person']} to a person, {e['to_assistant']} to the assistant")


if __name__ == "__main__":
    main()
