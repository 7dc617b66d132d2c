"""How `python -m evals.routing.thresholds` picks the policy's thresholds from its table:
shopper requests and off-topic questions first, then the charged recall target at the best
precision, and the best F1 only when no row reaches that recall."""

from __future__ import annotations

from typing import Any

from evals.routing.thresholds import choose


def row(bitext: tuple[float, float], goemotions: tuple[float, float],
        off_topic_sent: float = 0.02) -> dict[str, Any]:
    def part(recall: float, precision: float, flagged: float = 0.3) -> dict[str, Any]:
        return {"recall": recall, "precision": precision, "flagged": flagged}
    return {"bitext": part(*bitext), "goemotions": part(*goemotions),
            "clinc150": part(1.0, 0.2, off_topic_sent), "tau": part(1.0, 1.0)}


def test_the_charged_recall_target_wins_over_the_best_f1() -> None:
    results = [
        ((0.3, 0.25, None), row((0.99, 0.96), (0.76, 0.52))),  # best F1 (0.62)
        ((0.3, 0.14, None), row((0.99, 0.96), (0.86, 0.45))),
        ((0.3, 0.10, None), row((0.99, 0.96), (0.93, 0.43))),  # more recall, less precision
    ]
    assert choose(results, 0.3) == ((0.3, 0.14, None), "")


def test_shopper_requests_and_off_topic_limits_come_first() -> None:
    results = [
        ((0.3, 0.14, None), row((0.95, 0.96), (0.90, 0.50))),  # Bitext recall below 0.97
        ((0.2, 0.14, None), row((0.99, 0.96), (0.90, 0.50), off_topic_sent=0.08)),
        ((0.3, 0.16, None), row((0.99, 0.96), (0.86, 0.44))),
    ]
    assert choose(results, 0.3) == ((0.3, 0.16, None), "")


def test_ties_keep_the_files_person_threshold_and_no_overrule() -> None:
    results = [
        ((0.4, 0.14, 0.02), row((0.99, 0.96), (0.86, 0.454))),  # a comment more precise
        ((0.4, 0.14, None), row((0.99, 0.96), (0.86, 0.452))),
        ((0.3, 0.14, None), row((0.99, 0.96), (0.86, 0.451))),
    ]
    assert choose(results, 0.3) == ((0.3, 0.14, None), "")


def test_without_a_row_at_the_recall_target_the_best_f1_is_taken() -> None:
    results = [
        ((0.3, 0.25, None), row((0.99, 0.96), (0.76, 0.52))),
        ((0.3, 0.40, None), row((0.99, 0.96), (0.55, 0.65))),
    ]
    best, note = choose(results, 0.3)
    assert best == (0.3, 0.25, None)
    assert "best F1" in note
