"""What masking the store's product names does to the escalation decision, on data nobody
here wrote: tau-bench's 50 retail product names and the routing sources' messages.

    python -m evals.routing.product_names [--data ../shared/data]

Prints (1) for every tau product, three shopping phrasings ("do you have the <name>?", ...)
and how many the policy sends to a person with and without the names masked; (2) on every
message of the four routing sources (tau-bench's tasks name these very products), how many
decisions masking changes and the recall / precision of both."""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.commerce.product_names import mask_product_names
from agent.escalation import load_policy
from api.importers.tau_bench import load_tau_store
from evals.routing.datasets import load_all

POLICY = Path(__file__).resolve().parents[2] / "policies" / "escalation.yaml"
PHRASINGS = ("do you have the {}?", "is the {} in stock?", "I love the {}, got one?")


def _rates(decisions: list[bool], wanted: list[bool]) -> str:
    hits = sum(d and w for d, w in zip(decisions, wanted, strict=True))
    recall = hits / max(1, sum(wanted))
    precision = hits / max(1, sum(decisions))
    return f"recall {recall:.3f} precision {precision:.3f} sent {sum(decisions)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parents[3] / "shared" / "data")
    args = parser.parse_args()
    policy = load_policy(POLICY)
    names = tuple(sorted({p.name for p in load_tau_store(args.data / "tau-retail").products}))
    asks = [p.format(n) for n in names for p in PHRASINGS]
    plain = sum(policy.decide(t).escalate for t in asks)
    masked = sum(policy.decide(mask_product_names(t, names)).escalate for t in asks)
    print(f"{len(names)} tau products x {len(PHRASINGS)} shopping phrasings = {len(asks)}: "
          f"sent to a person {plain} unmasked, {masked} masked")
    examples = [e for split in load_all(args.data).values() for e in split]
    wanted = [e.route_label != "assistant" or e.charged_label != "calm" for e in examples]
    changed = [e.text for e in examples if mask_product_names(e.text, names) != e.text]
    before = [policy.decide(e.text).escalate for e in examples]
    after = [policy.decide(mask_product_names(e.text, names)).escalate for e in examples]
    flipped = sum(b != a for b, a in zip(before, after, strict=True))
    print(f"{len(examples)} routing messages, {len(changed)} name a tau product; "
          f"decisions changed by masking: {flipped}")
    print(f"  unmasked: {_rates(before, wanted)}")
    print(f"  masked:   {_rates(after, wanted)}")


if __name__ == "__main__":
    main()
