"""Choose the policy's classifier thresholds on the calibration split, never on dev or on
a source left out.

    python -m evals.routing.thresholds [--data ../shared/data]

Fits the shipped recipe on the train split, decides every calibration message exactly as
the router would (`EscalationPolicy.decide_scored`) for each combination of
`human_threshold`, `charged_threshold` and `overrule_below`, and prints recall and
precision per source.  The combination written into `policies/escalation.yaml` is the one
that keeps Bitext (shopper requests) at recall >= 0.97 with precision >= 0.92, sends at most
5% of CLINC150's calm off-topic questions to a person and, among those, finds at least 85%
of GoEmotions' charged messages (issue 15's recall target) at the best precision.  Recall
comes first because a shopper who needs a person and is kept with the assistant is the
failure that costs (issue 15: a third were); a calm message sent to a person costs an
agent a glance.  If no combination reaches that recall, the best GoEmotions F1 is taken.
The table shows the trade-off.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

from agent.escalation import load_policy
from evals.routing.datasets import SOURCES, load_all
from evals.routing.heads import HeadSettings
from evals.routing.validate import POLICY, Corpus, decide_rows, scores
from evals.routing.vectors import DEFAULT_CACHE

HUMAN = (0.15, 0.2, 0.3, 0.4, 0.5)
CHARGED = (0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
OVERRULE = (None, 0.02, 0.05, 0.1)
CHARGED_RECALL = 0.85
MAX_OFF_TOPIC_SENT = 0.05


def _f1(part: dict[str, Any]) -> float:
    r, p = part["recall"] or 0.0, part["precision"] or 0.0
    return 2 * r * p / (r + p) if r + p else 0.0


Key = tuple[float, float, float | None]
"""(human_threshold, charged_threshold, overrule_below)"""


def choose(results: list[tuple[Key, dict[str, Any]]], file_human: float) -> tuple[Key, str]:
    """The thresholds to write, and a note when a limit could not be met: Bitext at the
    targets and the off-topic limit first, then the charged recall at the best precision
    (the module docstring says why), else the best charged F1."""
    fit = [(key, part) for key, part in results if (part["bitext"]["recall"] or 0) >= 0.97
           and (part["bitext"]["precision"] or 0) >= 0.92
           and (part["clinc150"]["flagged"] or 0) <= MAX_OFF_TOPIC_SENT]
    pool = fit or results
    finding = [(key, part) for key, part in pool
               if (part["goemotions"]["recall"] or 0) >= CHARGED_RECALL]
    if finding:
        # Precision to two places: a third decimal is a few of the ~4,000 comments here.
        # Between those: no overrule (it drops pattern matches the model never saw with a
        # person), then the person threshold nearest the file's (nothing moves that the
        # criterion does not need), then the higher charged threshold.
        best = max(finding, key=lambda item: (
            round(item[1]["goemotions"]["precision"] or 0, 2), item[0][2] is None,
            -abs(item[0][0] - file_human), item[0][1]))
    else:
        best = max(pool, key=lambda item: (_f1(item[1]["goemotions"]),
                                           item[1]["tau"]["recall"] or 0))
    note = ("" if fit else " (no combination met the Bitext and off-topic limits)") + (
        "" if finding else " (none reached the charged recall: best F1)")
    return best[0], note


def _cell(part: dict[str, Any]) -> str:
    return f"{part['recall'] or 0:.3f}/{part['precision'] or 0:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    base = load_policy(POLICY, with_model=False)
    config = base.classifier_config
    if config is None:
        raise SystemExit("the policy has no classifier section")
    corpus = Corpus(load_all(args.data), DEFAULT_CACHE, base)
    settings = HeadSettings()
    model = corpus.fit(corpus.rows(sources=SOURCES, splits=("train",)), settings)
    rows = corpus.rows(sources=SOURCES, splits=("calibration",))
    results = []
    for human, charged, overrule in itertools.product(HUMAN, CHARGED, OVERRULE):
        if overrule is not None and overrule >= human:
            continue
        policy = replace(base, classifier_config=config.model_copy(update={
            "human_threshold": human, "charged_threshold": charged,
            "unsure_margin": min(config.unsure_margin, human / 2, charged / 2),
            "overrule_below": overrule}))
        verdicts = decide_rows(policy, model, corpus, rows, settings.blocks)
        by_source = {}
        for source in SOURCES:
            mine = [k for k, i in enumerate(rows) if corpus.examples[i].source == source]
            by_source[source] = scores([corpus.examples[rows[k]].route == "human"
                                        for k in mine], [verdicts[k].escalate for k in mine])
        results.append(((human, charged, overrule), by_source))
    print(f"{'human':>6}{'charged':>8}{'overrule':>9}  " + "".join(
        f"{s:>20}" for s in SOURCES) + "   (recall/precision)")
    for (human, charged, overrule), by_source in results:
        cells = "".join(f"{_cell(by_source[s]):>20}" for s in SOURCES)
        print(f"{human:>6}{charged:>8}{overrule!s:>9}  {cells}")
    best, note = choose(results, config.human_threshold)
    print(f"\nchosen (human, charged, overrule): {best}{note}")


if __name__ == "__main__":
    main()
