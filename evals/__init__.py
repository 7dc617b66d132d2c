"""Eval suites: run cases through the real graph, score transcripts offline, gate CI."""
