"""The shopper's language, read from their message by py3langid (a PyPI package that ships
its model: naive Bayes over byte n-grams, about 0.1 ms a message, nothing fetched).

Short messages say little ("ok", "in black?", "tent"): a message is taken to be in a
language only when the detector is sure, otherwise the conversation keeps the language it
had (English at first).  English, Spanish, German and French are told apart among
themselves; another language is named only when the detector is sure of it and the message
has a few words ("Hai questa giacca in nero?": Italian): the model is then asked to reply in
it, and the template replies stay English (there are no translations for it).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from agent.i18n import LANGUAGES

log = logging.getLogger(__name__)

SURE = 0.9
"""Probability among en/es/de/fr above which a message of two or more words sets them."""
SURE_OTHER = 0.8
"""Probability over every language above which a longer message sets another language."""
NAMES = {"en": "English", "es": "Spanish", "de": "German", "fr": "French", "it": "Italian",
         "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "da": "Danish", "pl": "Polish"}


class _Detector:
    """py3langid's identifier, loaded once per process (about 2 s: warm it at start-up)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._identifier: Any = None
        self._missing = False

    def load(self) -> Any:
        with self._lock:
            if self._identifier is None and not self._missing:
                try:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier

                    self._identifier = LanguageIdentifier.from_model_file(
                        MODEL_FILE, norm_probs=True)
                except (ImportError, OSError) as exc:
                    self._missing = True
                    log.warning("language detection off (replies in English): %s", exc)
            return self._identifier

    def rank(self, text: str) -> list[tuple[str, float]]:
        identifier = self.load()
        if identifier is None:
            return []
        with self._lock:
            return [(str(lang), float(p)) for lang, p in identifier.rank(text)]


DETECTOR = _Detector()


def warm() -> None:
    """Load the detector now (the server does this at start-up, off the first turn)."""
    DETECTOR.load()


# Words of no language: e-mail addresses, links, order numbers, phone numbers, prices.
# "aisha.taylor@example.com" read as English words tipped an Italian message to English.
_NO_LANGUAGE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\S*\d\S*")


def detect(text: str, previous: str = "en") -> str:
    """The message's language, or `previous` when the message is too short to tell."""
    text = _NO_LANGUAGE.sub(" ", text)
    words = len(text.split())
    if "¿" in text or "¡" in text:
        return "es"  # only Spanish opens a question or exclamation upside down
    ranked = DETECTOR.rank(text)
    if not ranked or words == 0:
        return previous
    top, probability = ranked[0]
    if top not in LANGUAGES and probability >= SURE_OTHER and words >= 4:
        return top
    ours = {lang: p for lang, p in ranked if lang in LANGUAGES}
    total = sum(ours.values())
    if not total:
        return previous
    best = max(ours, key=lambda lang: ours[lang])
    if words >= 2 and ours[best] / total >= SURE:
        return best
    return previous


def language_name(code: str) -> str:
    """How the reply prompt names the language ("Spanish"); the code itself if unknown."""
    return NAMES.get(code, code)
