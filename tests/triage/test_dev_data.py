"""Recall and precision of escalation on a sample of the dev data, and what the held-out
figures rest on.

Needs ../shared/data (absent from a fresh clone: skipped).  The shipped model is fitted on
every split (`evals.routing.train`), so on the dev file it is a regression check; the
held-out figures come from `python -m evals.routing.validate`, whose fits never see the
Bitext template families or the source they score (`test_families.py`).  The floors are
the full dev file's figures (README) minus a margin for the sample.
"""

from __future__ import annotations

import pytest

from agent.escalation import load_policy
from evals.routing.datasets import Example, Split, load_all
from evals.routing.evaluation import LabelledMessage, evaluate
from evals.routing.validate import POLICY  # the shipped policy file
from tests.shared_data import shared_data

# source: (recall floor, precision floor)
FLOORS = {"bitext": (0.95, 0.90), "goemotions": (0.65, 0.45), "tau": (0.8, 0.7)}


@pytest.fixture(scope="module")
def splits() -> dict[Split, list[Example]]:
    return load_all(shared_data("bitext").parent)


def test_the_dev_split_shares_no_template_with_the_train_split(
        splits: dict[Split, list[Example]]) -> None:
    trained = {e.family for e in splits["train"]}
    assert not any(e.family in trained for e in splits["dev"])


def test_escalation_on_a_dev_sample_stays_above_the_measured_floors(
        splits: dict[Split, list[Example]]) -> None:
    dev = splits["dev"]
    sample = [LabelledMessage(e.text, e.route, e.source)
              for e in dev[::8] + [e for e in dev if e.source == "tau"]]
    report = evaluate(load_policy(POLICY), sample)
    for source, (recall, precision) in FLOORS.items():
        part = report["by_source"][source]
        assert part["recall"] >= recall, (source, part)
        assert part["precision"] >= precision, (source, part)
    clinc = report["by_source"]["clinc150"]["confusion"]
    assert clinc["fp"] / (clinc["fp"] + clinc["tn"]) < 0.05  # off-topic questions stay
