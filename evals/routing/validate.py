"""Validate the triage model by family: in-source, leave-one-source-out, per feature block.

    python -m evals.routing.validate [--data ../shared/data] [--ablations meaning+tone,...]
                                     [--all] [--json FILE]

Every model here is fitted by the same code as the shipped one (`evals.routing.heads`) and
every message is decided by `EscalationPolicy.decide_scored` with the thresholds of
`policies/escalation.yaml`, exactly as the router decides it; only the classifier's
arithmetic is batched.

- *in-source*: fit on the train splits of all sources, score their dev splits (Bitext's
  dev families share no template with its train families; GoEmotions `dev.tsv`; CLINC150
  `val`; tau-bench `tasks_dev`).  What a random row split would flatter, a family split
  does not, but the sources are still ones the model has seen.
- *leave one source out* (LOSO): fit on the train and calibration splits of every other
  source, score every message of the one left out.  The figure to trust for messages
  nobody here wrote.

GoEmotions and CLINC150 are capped per split as for the shipped model
(`evals.routing.datasets.CAPS`; `--all` lifts the caps).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from agent.escalation import EscalationPolicy, Verdict, load_policy
from agent.triage import TriageClassifier, TriageScore
from evals.routing.datasets import SOURCES, Example, Split, bucket, load_all
from evals.routing.heads import HeadSettings, fit_model, probabilities, tone_rows
from evals.routing.vectors import DEFAULT_CACHE, query_vectors

POLICY = Path(__file__).resolve().parents[2] / "policies" / "escalation.yaml"
# name: (feature blocks, `overrule_below` to use; None: the policy file's)
ABLATIONS: dict[str, tuple[tuple[str, ...], float | None]] = {
    "meaning+tone": (("meaning", "tone"), None),
    "overrule 0.05": (("meaning", "tone"), 0.05),
    "meaning": (("meaning",), None),
    "tone": (("tone",), None),
}
SHIPPED = "meaning+tone"


class Corpus:
    """Every example with its e5 vector and tone row, computed once."""

    def __init__(self, splits: dict[Split, list[Example]], cache: Path,
                 policy: EscalationPolicy) -> None:
        self.examples = [e for split in ("train", "calibration", "dev") for e in splits[split]]
        self.split = [split for split in ("train", "calibration", "dev")
                      for _ in splits[split]]
        texts = classifier_texts(policy, self.examples)
        self.vectors = query_vectors(texts, cache, progress=True)
        self.tones = tone_rows(texts)

    def rows(self, *, sources: Sequence[str], splits: Sequence[str]) -> list[int]:
        return [i for i, e in enumerate(self.examples)
                if e.source in sources and self.split[i] in splits]

    def fit(self, rows: list[int], settings: HeadSettings) -> TriageClassifier:
        arrays, meta = fit_model([self.examples[i] for i in rows], self.vectors[rows],
                                 self.tones[rows], settings)
        return TriageClassifier.from_arrays(arrays, meta)


def classifier_texts(policy: EscalationPolicy, examples: Sequence[Example]) -> list[str]:
    """The messages as the classifier reads them (`EscalationPolicy.classifier_text`)."""
    return [policy.classifier_text(e.text) for e in examples]


def loso_rows(sources: Sequence[str], splits: Sequence[str], left_out: str
              ) -> tuple[list[int], list[int]]:
    """Rows to fit on (every other source's train and calibration splits) and rows to
    score (every row of the source left out)."""
    fit = [i for i, (source, split) in enumerate(zip(sources, splits, strict=True))
           if source != left_out and split in ("train", "calibration")]
    return fit, [i for i, source in enumerate(sources) if source == left_out]


def decide_rows(policy: EscalationPolicy, model: TriageClassifier, corpus: Corpus,
                rows: list[int], blocks: Sequence[str]) -> list[Verdict]:
    """The router's decision for each row, the classifier scored in one batch."""
    vectors = corpus.vectors[rows] if "meaning" in blocks else np.zeros_like(
        corpus.vectors[rows])
    tones = corpus.tones[rows] if "tone" in blocks else np.zeros_like(corpus.tones[rows])
    p_human, p_charged, route_labels, charged_labels = probabilities(model, vectors, tones)
    decided = []
    for k, i in enumerate(rows):
        score = TriageScore(float(p_human[k]), float(p_charged[k]), route_labels[k],
                            charged_labels[k], (), ())
        decided.append(policy.decide_scored(corpus.examples[i].text, score))
    return decided


def scores(gold: Sequence[bool], decided: Sequence[bool]) -> dict[str, Any]:
    tp = sum(g and d for g, d in zip(gold, decided, strict=True))
    fp = sum(d and not g for g, d in zip(gold, decided, strict=True))
    fn = sum(g and not d for g, d in zip(gold, decided, strict=True))
    return {"n": len(gold), "human": tp + fn,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "flagged": round((tp + fp) / len(gold), 4) if gold else None}


def _by_source(corpus: Corpus, rows: list[int], decided: list[bool]) -> dict[str, Any]:
    out = {}
    for source in SOURCES:
        mine = [k for k, i in enumerate(rows) if corpus.examples[i].source == source]
        if mine:
            out[source] = scores([corpus.examples[rows[k]].route == "human" for k in mine],
                                 [decided[k] for k in mine])
    return out


def validate(corpus: Corpus, policy: EscalationPolicy, settings: HeadSettings,
             rows_out: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """In-source and LOSO figures; each LOSO decision is appended to `rows_out` if given
    (the second-opinion check reads them)."""
    blocks = settings.blocks
    train = corpus.rows(sources=SOURCES, splits=("train",))
    dev = corpus.rows(sources=SOURCES, splits=("dev",))
    model = corpus.fit(train, settings)
    verdicts = decide_rows(policy, model, corpus, dev, blocks)
    report: dict[str, Any] = {
        "in_source": _by_source(corpus, dev, [v.escalate for v in verdicts])}
    loso: dict[str, Any] = {}
    sources = [e.source for e in corpus.examples]
    for left_out in SOURCES:
        fit, scored = loso_rows(sources, corpus.split, left_out)
        verdicts = decide_rows(policy, corpus.fit(fit, settings), corpus, scored, blocks)
        loso[left_out] = _by_source(corpus, scored, [v.escalate for v in verdicts])[left_out]
        if rows_out is not None:
            rows_out.extend({"text": corpus.examples[i].text, "source": left_out,
                             "route": corpus.examples[i].route, "escalate": v.escalate,
                             "unsure": v.unsure, **v.scores}
                            for i, v in zip(scored, verdicts, strict=True))
    report["leave_one_source_out"] = loso
    report["bitext_row_split"] = _bitext_row_split(corpus, policy, settings)
    return report


def _bitext_row_split(corpus: Corpus, policy: EscalationPolicy, settings: HeadSettings
                      ) -> dict[str, Any]:
    """What a random row split of Bitext would report (for contrast: near copies of one
    template on both sides): every Bitext row hashed 80/20 by its text, the other sources'
    train splits added to the fit."""
    bitext = [i for i, e in enumerate(corpus.examples) if e.source == "bitext"]
    held = [i for i in bitext if bucket(corpus.examples[i].text) < 20]
    fit = [i for i in bitext if bucket(corpus.examples[i].text) >= 20] + [
        i for i, e in enumerate(corpus.examples)
        if e.source != "bitext" and corpus.split[i] == "train"]
    verdicts = decide_rows(policy, corpus.fit(sorted(fit), settings), corpus, held,
                           settings.blocks)
    return scores([corpus.examples[i].route == "human" for i in held],
                  [v.escalate for v in verdicts])


def patterns_only(corpus: Corpus, policy: EscalationPolicy) -> dict[str, Any]:
    rows = list(range(len(corpus.examples)))
    baseline = policy.patterns_only()
    decided = [baseline.decide(corpus.examples[i].text).escalate for i in rows]
    dev = [k for k in rows if corpus.split[k] == "dev"]
    return {"in_source": _by_source(corpus, dev, [decided[k] for k in dev]),
            "leave_one_source_out": _by_source(corpus, rows, decided)}


def with_overrule(policy: EscalationPolicy, overrule_below: float | None) -> EscalationPolicy:
    """The policy with another `overrule_below` (None: as the file says)."""
    config = policy.classifier_config
    if config is None or overrule_below is None:
        return policy
    return replace(policy, classifier_config=config.model_copy(
        update={"overrule_below": overrule_below}))


def _fmt(part: dict[str, Any] | None) -> str:
    if not part:
        return f"{'':>21}"
    recall, precision = part["recall"], part["precision"]
    r = "  n/a" if recall is None else f"{recall:.3f}"
    p = "  n/a" if precision is None else f"{precision:.3f}"
    return f"{r:>6} {p:>6} {part['flagged']:>7.3f}"


def render(results: dict[str, dict[str, Any]]) -> str:
    lines = ["recall / precision / share sent to a person, by source "
             "(sources with no 'human' rows show n/a recall)", ""]
    header = f"{'model':<16}{'view':<10}" + "".join(f"{s:>22}" for s in SOURCES)
    lines += [header, "-" * len(header)]
    for name, report in results.items():
        for view, key in (("in-source", "in_source"), ("LOSO", "leave_one_source_out")):
            part = report[key]
            lines.append(f"{name:<16}{view:<10}" + "".join(
                f"{_fmt(part.get(s)):>22}" for s in SOURCES))
        if "bitext_row_split" in report:
            lines.append(f"{name:<16}{'row split':<10}{_fmt(report['bitext_row_split']):>22}"
                         "   (Bitext split by row, for contrast)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--ablations", default=",".join(ABLATIONS),
                        help=f"which feature blocks to compare ({', '.join(ABLATIONS)})")
    parser.add_argument("--all", action="store_true",
                        help="use every message, not the hash-chosen caps of GoEmotions and "
                             "CLINC150 (embedding them all takes an hour or more)")
    parser.add_argument("--json", type=Path, default=Path("var") / "route_validation.json")
    args = parser.parse_args()
    if not (args.data / "bitext").is_dir():
        raise SystemExit(f"{args.data}: no bitext/ folder; pass --data PATH/TO/shared/data")
    started = time.perf_counter()
    policy = load_policy(POLICY, with_model=False)
    corpus = Corpus(load_all(args.data, caps={} if args.all else None), args.cache, policy)
    results: dict[str, dict[str, Any]] = {"patterns only": patterns_only(corpus, policy)}
    loso_rows_out: list[dict[str, Any]] = []
    for name in args.ablations.split(","):
        blocks, overrule = ABLATIONS[name]
        results[name] = validate(corpus, with_overrule(policy, overrule),
                                 HeadSettings(blocks=blocks),
                                 loso_rows_out if name == SHIPPED else None)
    print(render(results))
    print(f"\n{len(corpus.examples)} messages, {time.perf_counter() - started:.0f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    if loso_rows_out:
        with args.json.with_name("route_validation_rows.jsonl").open("w") as handle:
            handle.writelines(json.dumps(row) + "\n" for row in loso_rows_out)


if __name__ == "__main__":
    main()
