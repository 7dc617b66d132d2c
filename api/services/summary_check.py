"""Checks an AI-drafted handoff summary against the transcript before an agent sees it.

A small model phrasing a summary can invent an order id, an amount or a tracking number;
an agent acting on one would mislead the shopper. Every such checkable fact in the draft
must appear in the transcript, or the draft is dropped and the rule-based summary stays.
Card numbers and street addresses are removed from what is kept.
"""

from __future__ import annotations

import re

from agent.privacy.redact import remove_payment_and_address

# Facts a draft may state that can be checked word for word against the transcript.
_FACT_PATTERNS = {
    "order id": re.compile(r"#?\b[A-Z]\d{5,8}\b"),
    "amount": re.compile(r"\$\s?\d[\d,]*(?:\.\d{1,2})?"),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "number": re.compile(r"\b(?=[0-9A-Z]*\d)[0-9A-Z]{8,}\b"),  # tracking ids and the like
}


def _normal(fact: str) -> str:
    return re.sub(r"[\s,#$]", "", fact).lower().removesuffix(".00")


def unsupported_facts(draft_texts: list[str], transcript: list[str]) -> list[str]:
    """The checkable facts in the draft that the transcript never mentions."""
    known_text = " ".join(transcript)
    known = {_normal(m.group(0)) for pattern in _FACT_PATTERNS.values()
             for m in pattern.finditer(known_text)}
    missing: list[str] = []
    for text in draft_texts:
        for kind, pattern in _FACT_PATTERNS.items():
            for match in pattern.finditer(text):
                if _normal(match.group(0)) not in known:
                    missing.append(f"{kind} {match.group(0).strip()}")
    return missing


def scrub(text: str) -> str:
    return remove_payment_and_address(text)
