"""Evidence in, "because you..." out.

Every explanation is built only from evidence items that were actually used to pick the
suggestion; each item keeps its kind and source so it can be audited later.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

EvidenceKind = Literal["shopper_words", "similar", "budget", "size", "color", "option",
                       "page", "stock", "history", "alternative"]


class Evidence(BaseModel):
    kind: EvidenceKind
    source: Literal["message", "conversation", "inventory", "profile", "orders", "catalog"]
    detail: str


def because_text(evidence: list[Evidence]) -> str:
    """A short plain sentence that mentions each piece of evidence once, and nothing else."""
    asked = [e.detail for e in evidence if e.kind == "shopper_words"]
    # Found by meaning, not by a shared word: say so rather than claim the shopper asked
    # for words they did not use.
    similar = [e.detail for e in evidence if e.kind == "similar"]
    extras = [e.detail for e in evidence if e.kind in ("budget", "color")]
    sizes = [e.detail for e in evidence if e.kind == "size"]
    # Options of a variant asked for by name ("gold color and leather band material").
    options = [e.detail for e in evidence if e.kind == "option"]
    # What the product's own page says, quoted when the shopper asked about it.
    pages = [e.detail for e in evidence if e.kind == "page"]
    stock = [e.detail for e in evidence if e.kind == "stock"]
    history = [e.detail for e in evidence if e.kind == "history"]
    # Why a stand-in is offered ("The Cascade in Blue is sold out in size M; this is the
    # same jacket in Green") is its own sentence, said before the stock badge.
    alternative = [e.detail for e in evidence if e.kind == "alternative"]

    parts: list[str] = []
    if similar:
        parts.append("it is a close match for " + similar[0])
    if asked or extras:
        parts.append("you asked for " + " ".join([*asked, *extras]))
    if sizes:
        parts.append("it comes in " + sizes[0])
    if options:
        parts.append("it comes " + options[0] + ", as you asked")
    if pages:
        parts.append("its product page says: " + " ".join(pages))
    if history:
        parts.append(history[0])
    if parts:
        sentence = "Because " + ", and ".join(parts)
        if alternative:
            sentence += f". {alternative[0]}"
    else:
        sentence = alternative[0] if alternative else "Suggested"
    if stock:
        sentence += f". {stock[0]}"
    return sentence + "."
