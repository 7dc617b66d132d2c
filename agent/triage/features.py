"""Text to sparse TF-IDF features, the same code at training and at decision time.

Two blocks, each L2-normalised on its own: word unigrams and bigrams (what the
explanations quote) and character 3-5-grams inside word boundaries (robust to the typos
and inflections shoppers type).  Written out here rather than taken from scikit-learn's
vectoriser so the shipped model needs only this file and numpy to run, and training and
serving cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

import numpy as np

WORD = "w:"
CHAR = "c:"
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_CHAR_SIZES = (3, 4, 5)


def normalise(text: str) -> str:
    return text.translate(_QUOTES).lower()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


def grams(text: str) -> Counter[str]:
    """Every word and character n-gram of the message, with counts."""
    words = tokens(text)
    counts: Counter[str] = Counter(WORD + w for w in words)
    counts.update(f"{WORD}{a} {b}" for a, b in pairwise(words))
    for word in words:
        padded = f" {word} "
        for size in _CHAR_SIZES:
            if len(padded) < size:
                break
            counts.update(CHAR + padded[i:i + size] for i in range(len(padded) - size + 1))
    return counts


def build_vocabulary(corpus: Iterable[str], *, min_df: int, max_words: int,
                     max_chars: int) -> tuple[list[str], np.ndarray]:
    """The most frequent grams of each block (document frequency >= min_df) and their
    smoothed idf, sorted so the file is deterministic."""
    df: Counter[str] = Counter()
    n_docs = 0
    for text in corpus:
        df.update(grams(text).keys())
        n_docs += 1
    chosen: list[str] = []
    for prefix, limit in ((WORD, max_words), (CHAR, max_chars)):
        block = [(g, c) for g, c in df.items() if g.startswith(prefix) and c >= min_df]
        block.sort(key=lambda item: (-item[1], item[0]))
        chosen.extend(g for g, _ in block[:limit])
    chosen.sort()
    idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in chosen])
    return chosen, idf


class Featurizer:
    """Maps a message to (feature indices, weights) over a fixed vocabulary."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.index: Mapping[str, int] = {g: i for i, g in enumerate(vocabulary)}
        self.idf = idf
        self.is_word = np.array([g.startswith(WORD) for g in vocabulary], dtype=bool)

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        found = [(self.index[g], c) for g, c in grams(text).items() if g in self.index]
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.fromiter((i for i, _ in found), dtype=np.int64, count=len(found))
        tf = np.fromiter((1.0 + math.log(c) for _, c in found), dtype=float, count=len(found))
        values = tf * self.idf[idx]
        is_word = self.is_word[idx]
        for block in (is_word, ~is_word):
            norm = float(np.sqrt(np.sum(values[block] ** 2)))
            if norm > 0:
                values[block] /= norm
        return idx, values

    def transform(self, texts: Iterable[str]) -> Any:  # a scipy csr_matrix (training only)
        from scipy.sparse import csr_matrix

        indptr, indices, data = [0], [], []
        for text in texts:
            idx, values = self.transform_one(text)
            indices.extend(idx.tolist())
            data.extend(values.tolist())
            indptr.append(len(indices))
        return csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, len(self.vocabulary)))
