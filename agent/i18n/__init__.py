"""What the assistant knows of the languages it reads and writes (English, Spanish, German,
French): colour words (words.yaml), the shopper's language (language.py), translated
template replies (prompts/translations/)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

WORDS_FILE = Path(__file__).resolve().parent / "words.yaml"
LANGUAGES = ("en", "es", "de", "fr")
"""Languages with translated templates and constraint words; any other language the
detector names is still passed to the model, with English templates."""


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=8)
def colour_words(language: str) -> dict[str, str]:
    """The language's colour words -> the English colour (English words map to themselves)."""
    found: dict[str, str] = {}
    for english, by_language in _words()["colours"].items():
        found[english] = english
        if language != "en":
            for word in by_language.get(language, []):
                found[word] = english
    return found


@lru_cache(maxsize=1)
def all_colour_words() -> dict[str, str]:
    """Colour words of every language read -> the English colour."""
    found: dict[str, str] = {}
    for language in LANGUAGES:
        found |= colour_words(language)
    return found


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    """Option values that are also everyday words ("high", "light")."""
    return frozenset(str(w) for w in _words()["everyday"])
