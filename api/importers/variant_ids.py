"""Stable ids for variants that an export names only by their product and option values.

Shopify's product CSV has no variant id: a variant *is* its product (the handle) plus its
option values, and the SKU is an attribute stores reuse (one SKU per colour for every size,
the same SKU on two products).  The id is derived from exactly what identifies the
variant, so the same export imports to the same ids every time, and a newer export updates
those rows instead of adding new ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

ID_LENGTH = 64  # domain.tables.Variant.id
_DIGEST = 10  # hex characters of the hash: 40 bits, collision-free at catalogue scale


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by single dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def option_key(values: Sequence[str]) -> tuple[str, ...]:
    """Option values as Shopify compares them: case and spacing do not make a new variant."""
    return tuple(" ".join(v.split()).casefold() for v in values)


def variant_id(product_id: str, option_values: Sequence[str]) -> str:
    """A short readable slug of product and options plus a hash of both, at most 64 chars:
    `merino-tee-m-navy-3f9a0c21d4`.  Option names are left out on purpose, so renaming
    "Colour" to "Color" keeps every id; changing a value makes a new variant, as it does in
    Shopify itself."""
    key = "\x1f".join((product_id, *option_key(option_values)))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:_DIGEST]
    readable = slug("-".join((product_id, *option_values)))[:ID_LENGTH - _DIGEST - 1].strip("-")
    return f"{readable}-{digest}" if readable else digest
