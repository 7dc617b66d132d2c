"""Product names taken out of a message before the word rules and the escalation policy
read it: a shopper asking for the "Broken Heart Necklace" is not heartbroken, "Slim Fit
Jeans" is not a fit question and "Track Pants" are not a parcel to track.  Only names of
two or more words are masked (one word, such as "Backpack", is never a phrase the rules
or the classifier read as a mood or an intent by itself)."""

from __future__ import annotations

import re
from functools import lru_cache

_MAX_NAMES = 20_000  # a pattern over more names than this costs more than it saves


@lru_cache(maxsize=8)
def _pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    phrases = sorted({n.strip() for n in names if len(n.split()) >= 2}, key=len, reverse=True)
    if not phrases or len(phrases) > _MAX_NAMES:
        return None
    # Longest first, so "Slim Fit Jeans Dark" wins over "Slim Fit Jeans"; whitespace in a
    # name matches any run of whitespace in the message.
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def mask_product_names(text: str, names: tuple[str, ...]) -> str:
    """`text` with every catalogue product name of two or more words replaced by its last
    word, the noun that says what it is: "the Broken Heart Necklace" reads "the Necklace".
    (A placeholder such as "item" would not do: the classifier learnt "item" from
    shoppers returning one, and read "Do you have a item in silver?" as a return.)"""
    pattern = _pattern(names)
    return text if pattern is None else pattern.sub(lambda m: m.group(0).split()[-1], text)
