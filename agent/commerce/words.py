"""Words as the catalogue and the shopper's messages are compared: lower-cased, split on
spaces, dashes and slashes, plurals stemmed lightly (both sides go through the same
functions, so only consistency matters)."""

from __future__ import annotations


def stem(word: str) -> str:
    """A light plural stemmer: "jackets"→"jacket", "shoes"→"shoe", "dresses"→"dress",
    "hoodies"→"hoody"."""
    if len(word) > 4 and word.endswith(("ies", "ie")):
        return word[: -3 if word.endswith("s") else -2] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def catalog_words(text: str) -> set[str]:
    return {stem(w) for w in text.lower().replace("-", " ").replace("/", " ").split()}
