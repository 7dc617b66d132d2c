"""Template families of Bitext utterances, so validation splits by template, not by row.

Bitext writes each intent from a few core phrasings ("get a refund of money", "get my money
back", "receive a rebate") wrapped in frames ("I don't know how to ...", "could you help me
...") and varied by flags (typos, plurals, politeness).  Rows of one core phrasing are near
copies of each other, so a row split puts the same template on both sides and overstates
what a new release of the corpus (same intents, other templates) will see.

A row's *template key* is its set of content words: the words left once the frame words
(pronouns, politeness, "help", "know how", ...) and slot values (numbers, order ids, sums)
are taken out, crudely stemmed.  Keys of one intent that share most of their words are
joined into a *family* (average-linkage clustering on Jaccard distance), and a family is
what lands on one side of a split, whole.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

# Frame and function words: what Bitext varies around the core phrasing of an intent.
_FRAME_TEXT = """
a about all am an and any anybody anyone are as assist assistance at be been being but by
can cannot could do does doing don't dont else for from get getting go going got gotta had
has have having help helping hey hi how i i'd i'll i'm i've id if im in information info is
it it's its just know let like look looking me mind more my need needing no not of ok on
one or please possible pls plz see show so some someone something supposed tell than
thank thanks that the them there these they this to trying try u ur us want wanna wanted
was we what when where whether which who will with would wld yo you your
"""
FRAME_WORDS = frozenset(_FRAME_TEXT.split())
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")
_SLOT = re.compile(r"^\d+$")
# Average-linkage Jaccard distance below which two keys of an intent are one family:
# 0.6 joins "get refund money" with "get refunds money" and "need refund", not with
# "money back" or "rebate".
FAMILY_DISTANCE = 0.6


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def template_key(text: str) -> frozenset[str]:
    """The content words of an utterance, frame words and slot values removed."""
    words = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    return frozenset(_stem(w) for w in words if w not in FRAME_WORDS and not _SLOT.match(w))


def _jaccard_distance(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return 1.0 - len(a & b) / len(union) if union else 0.0


def families(rows: Sequence[tuple[str, str]]) -> list[str]:
    """A family id (`intent:n`) for each `(intent, text)` row; rows with the same template
    key always share a family."""
    from scipy.cluster.hierarchy import fcluster, linkage  # training only

    by_intent: dict[str, list[frozenset[str]]] = defaultdict(list)
    for intent, text in rows:
        key = template_key(text)
        if key not in by_intent[intent]:
            by_intent[intent].append(key)
    family_of: dict[tuple[str, frozenset[str]], str] = {}
    for intent, keys in sorted(by_intent.items()):
        keys.sort(key=sorted)  # deterministic, whatever the file order
        if len(keys) == 1:
            family_of[(intent, keys[0])] = f"{intent}:1"
            continue
        condensed = [_jaccard_distance(keys[i], keys[j])
                     for i in range(len(keys)) for j in range(i + 1, len(keys))]
        labels = fcluster(linkage(condensed, method="average"), t=FAMILY_DISTANCE,
                          criterion="distance")
        for key, label in zip(keys, labels, strict=True):
            family_of[(intent, key)] = f"{intent}:{int(label)}"
    return [family_of[(intent, template_key(text))] for intent, text in rows]
