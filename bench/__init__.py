"""Benchmarks: `tandem bench` (bench/suite.py) and single-purpose scripts."""
