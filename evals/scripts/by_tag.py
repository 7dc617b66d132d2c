"""Pass@1 per tag of a run (`results.json`), e.g. per phrasing family and split of the
generated tau_variants suite: `python -m evals.scripts.by_tag RESULTS.json [--prefix split:]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path


def by_tag(results: dict[str, object], prefix: str = "") -> dict[str, tuple[float, int]]:
    """Tag -> (pass@1, cases) over the run's scores."""
    runs: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for score in results["scores"]:  # type: ignore[union-attr]
        for tag in score["tags"]:  # type: ignore[index]
            if tag.startswith(prefix):
                runs[tag][score["case_id"]].append(bool(score["passed"]))  # type: ignore[index]
    return {tag: (sum(sum(r) / len(r) for r in cases.values()) / len(cases), len(cases))
            for tag, cases in sorted(runs.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--prefix", default="")
    args = parser.parse_args()
    results = json.loads(args.results.read_text(encoding="utf-8"))
    for tag, (rate, cases) in by_tag(results, args.prefix).items():
        print(f"{tag:28} pass@1 {100 * rate:5.1f}%  ({cases} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
