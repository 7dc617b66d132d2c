"""Checks an AI-drafted handoff summary against the transcript before an agent sees it.

A small model phrasing a summary can invent an order id, an amount or a tracking number;
an agent acting on one would mislead the shopper. Every such checkable fact in the draft
must appear in the transcript, or the draft is dropped and the rule-based summary stays.
Card numbers and street addresses are removed from what is kept.
"""

from __future__ import annotations

from agent.fact_check import unsupported_facts
from agent.privacy.redact import remove_payment_and_address

__all__ = ["scrub", "unsupported_facts"]


def scrub(text: str) -> str:
    return remove_payment_and_address(text)
