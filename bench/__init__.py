"""Benchmarks: `tandem bench` (bench/suite.py) and single-purpose scripts.

Results are written as JSON under `bench/results/` of the working directory (a checkout's
root when run through `make`), beside the printed numbers."""

from pathlib import Path

RESULTS_DIR = Path("bench") / "results"
