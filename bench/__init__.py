"""Benchmarks: `tandem bench` (bench/suite.py) and single-purpose scripts.

Results are written as JSON under `bench/results/` of the working directory (a checkout's
root when run through `make`), beside the printed numbers."""

import json
from pathlib import Path
from typing import Any

RESULTS_DIR = Path("bench") / "results"


def write_json(path: Path, data: Any) -> Path:
    """`data` as indented JSON at `path`, its folder made; returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
