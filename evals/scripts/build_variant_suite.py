"""Generate evals/suites/tau_variants.yaml: every tau-bench product asked for by its options.

For each of the store's products (tau-bench retail, Sierra Research, MIT): two items in
stock asked for by their options (the exact variant must come first), and one that is not
there, either an item the store marks unavailable or a combination of options it does not
make (the reply must say so first, and no card may be it).  The shopper's words come from
six template families; three are the ones tuned on ("split:tune"), three are held out
("split:heldout") and reported apart, so a fix that only fits the tuned phrasings shows.

    python evals/scripts/build_variant_suite.py --data ../shared/data [--seed 14]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[1] / "suites" / "tau_variants.yaml"
Options = dict[str, str]


def _said(name: str, value: str) -> str:
    """One option as a shopper says it: "leather band material", "size 10", "waterproof"."""
    if value in ("yes", "no"):
        return name if value == "yes" else f"no {name}"
    if name == "size":
        return f"size {value}"
    return f"{value} {name}"


def _value_only(name: str, value: str) -> str:
    if value in ("yes", "no"):
        return name if value == "yes" else f"no {name}"
    return f"size {value}" if name == "size" else value


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


FAMILIES: dict[str, tuple[str, Callable[[str, Options], str]]] = {
    "do-you-have": ("tune", lambda p, o: f"Do you have a {p} with "
                    f"{', '.join(_said(n, v) for n, v in o.items())}?"),
    "colon-list": ("tune", lambda p, o: f"I'm looking for a {p}: "
                   + "; ".join(f"{n} {v}" for n, v in o.items())),
    "that-has": ("tune", lambda p, o: f"Is there a {p} that has "
                 f"{_and([_said(n, v) for n, v in o.items()])}?"),
    "values-first": ("heldout", lambda p, o: " ".join(_value_only(n, v) for n, v in o.items())
                     + f" {p.lower()}, in stock?"),
    "can-i-get": ("heldout", lambda p, o: f"Can I get the {p} in "
                  f"{_and([_value_only(n, v) for n, v in o.items()])}?"),
    "casual": ("heldout", lambda p, o: f"hey! need a {p.lower()}, "
               + ", ".join(f"{n}: {v}" for n, v in o.items()) + ". got one?"),
}


def _options(item: dict[str, Any]) -> Options:
    return {str(k): str(v) for k, v in item["options"].items()}


def _absent(product: dict[str, Any], rng: random.Random) -> tuple[Options, str, str | None]:
    """Options of something that is not there: an unavailable item, or a combination of the
    product's own values that it does not make.  (options, kind, unavailable item id)"""
    items = list(product["variants"].values())
    made = {tuple(sorted(_options(i).items())) for i in items}
    values: dict[str, list[str]] = {}
    for item in items:
        for name, value in _options(item).items():
            values.setdefault(name, [])
            if value not in values[name]:
                values[name].append(value)
    missing = [dict(combo) for combo in itertools.product(
        *[[(n, v) for v in vs] for n, vs in values.items()]) if tuple(sorted(combo)) not in made]
    unavailable = [i for i in items if not i["available"]]
    if unavailable and (not missing or rng.random() < 0.5):
        item = rng.choice(unavailable)
        return _options(item), "not_sellable", str(item["item_id"])
    if missing:
        return rng.choice(missing), "not_made", None
    item = rng.choice(items)
    return _options(item), "not_sellable", str(item["item_id"])


def build(data: Path, seed: int) -> dict[str, Any]:
    products: dict[str, Any] = json.loads((data / "products.json").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    names = list(FAMILIES)
    cases: list[dict[str, Any]] = []
    for index, (product_id, product) in enumerate(products.items()):
        name = str(product["name"])
        available = [i for i in product["variants"].values() if i["available"]]
        picks = rng.sample(available, min(2, len(available)))
        for k, item in enumerate(picks):
            family = names[(2 * index + k) % len(names)]
            split, phrase = FAMILIES[family]
            cases.append({
                "id": f"{product_id}-in-stock-{k + 1}",
                "description": f"{name} {item['item_id']} asked for by its options; available",
                "tags": ["tau_variants", "in_stock", f"family:{family}", f"split:{split}"],
                "turns": [{"say": phrase(name, _options(item)), "expect": {
                    "intent": "discovery", "first_product": name,
                    "exact_variant": str(item["item_id"])}}]})
        options, kind, unavailable_id = _absent(product, rng)
        family = names[(2 * index + 2) % len(names)]
        split, phrase = FAMILIES[family]
        expect: dict[str, Any] = {"intent": "discovery", "honest_no": True,
                                  "must_not_match": [r"^\s*yes\b"]}
        if unavailable_id:
            expect["absent_variant"] = unavailable_id
        cases.append({
            "id": f"{product_id}-{kind.replace('_', '-')}",
            "description": f"{name} with {options}: {kind.replace('_', ' ')}",
            "tags": ["tau_variants", kind, f"family:{family}", f"split:{split}"],
            "turns": [{"say": phrase(name, options), "expect": expect}]})
    return {"name": "tau_variants",
            "description": "Every tau-bench product asked for by its options (in stock, not "
                           "sellable, not made), six phrasing families, three held out; "
                           "generated by evals/scripts/build_variant_suite.py, do not edit.",
            "store": {"kind": "tau_bench", "data": "tau-retail"},
            "budgets": {"max_turn_seconds": 20, "max_tokens_per_turn": 1500},
            "cases": cases}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="the external data folder holding tau-retail/")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    data = args.data / "tau-retail"
    if not data.is_dir():
        print(f"tau-bench data not found at {data}", file=sys.stderr)
        return 1
    suite = build(data, args.seed)
    header = "# Generated by evals/scripts/build_variant_suite.py from tau-bench's products.\n"
    OUT.write_text(header + yaml.safe_dump(suite, sort_keys=False, width=100, allow_unicode=True),
                   encoding="utf-8")
    print(f"wrote {OUT} ({len(suite['cases'])} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
