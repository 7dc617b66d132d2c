"""Recall and precision of escalation on a sample of the held-out dev data.

Needs ../shared/data (absent from a fresh clone: skipped).  The floors are what the
shipped model measured on the full dev split (bitext recall 0.996 / precision 0.92,
goemotions 0.64 / 0.56) minus a margin for the sample;
`python -m evals.routing.build_dev --data ../shared/data` then `tandem eval route` give the
full numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.escalation import load_policy
from evals.routing.datasets import Example, Split, load_all
from evals.routing.evaluation import LabelledMessage, evaluate
from tests.shared_data import shared_data

POLICY = Path(__file__).resolve().parents[2] / "policies" / "escalation.yaml"


# source: (recall floor, precision floor, measured on the full dev split)
FLOORS = {"bitext": (0.95, 0.85), "goemotions": (0.55, 0.48)}


@pytest.fixture(scope="module")
def splits() -> dict[Split, list[Example]]:
    return load_all(shared_data("bitext").parent)


def test_the_dev_split_was_never_trained_on(splits: dict[Split, list[Example]]) -> None:
    trained = {" ".join(e.text.lower().split()) for e in splits["train"]}
    assert not any(" ".join(e.text.lower().split()) in trained for e in splits["dev"])


def test_escalation_on_a_dev_sample_stays_above_the_measured_floors(
        splits: dict[Split, list[Example]]) -> None:
    sample = [LabelledMessage(e.text, e.route, e.source) for e in splits["dev"][::3]]
    report = evaluate(load_policy(POLICY), sample)
    for source, (recall, precision) in FLOORS.items():
        part = report["by_source"][source]
        assert part["recall"] >= recall, (source, part)
        assert part["precision"] >= precision, (source, part)
    clinc = report["by_source"]["clinc150"]["confusion"]
    assert clinc["fp"] / (clinc["fp"] + clinc["tn"]) < 0.03  # off-topic questions stay
