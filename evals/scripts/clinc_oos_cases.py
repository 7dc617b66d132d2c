"""Print starter-suite cases for off-topic messages sampled from CLINC150's out-of-scope set.

CLINC150 (Larson et al. 2019, "An Evaluation Dataset for Intent Classification and
Out-of-Scope Prediction", CC BY 3.0) is read from ../shared/data/clinc150/; only the few
sampled utterances are pasted into evals/suites/starter.yaml, never the data set itself.

    python evals/scripts/clinc_oos_cases.py --data ../shared/data [--n 8] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path


def sample(data: Path, n: int, seed: int) -> list[str]:
    path = data / "clinc150" / "data_train_val.json"
    rows = json.loads(path.read_text(encoding="utf-8"))["oos_train"]
    return [text for text, _label in random.Random(seed).sample(rows, n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, required=True,
                        help="the external data folder holding clinc150/")
    args = parser.parse_args()
    if not (args.data / "clinc150").is_dir():
        print(f"CLINC150 not found in {args.data}", file=sys.stderr)
        return 1
    for i, text in enumerate(sample(args.data, args.n, args.seed), 1):
        print(f"  - id: offtopic-clinc-{i}\n    tags: [off_topic, clinc150]\n    turns:\n"
              f"      - say: {json.dumps(text)}\n"
              "        expect: {intent: smalltalk, handoff: false, max_suggestions: 0}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
