"""Audit a "because" line against the evidence stored with its suggestion.

An explanation is honest when every evidence item appears in it and nothing else does:
once each item's detail and the fixed joining words of `agent.evidence.because_text` are
taken out, no word may be left over (a left-over word would be a claim with no evidence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The only words `because_text` adds around the evidence details.
_JOINERS = re.compile(
    r"\b(Because|it is a close match for|you asked for|it comes in|it comes|as you asked|"
    r"its product page says|and|"
    r"Suggested)\b")


@dataclass(frozen=True)
class ExplanationAudit:
    missing: tuple[str, ...]
    """Evidence details that the explanation does not mention."""
    unsupported: str
    """Words of the explanation that no evidence item accounts for ("" when none)."""

    @property
    def matches(self) -> bool:
        return not self.missing and not self.unsupported


def audit_because(because: str, evidence: list[dict[str, Any]]) -> ExplanationAudit:
    rest = because
    missing: list[str] = []
    # Longest first, so a short detail ("jacket") cannot eat part of a longer one.
    for detail in sorted((str(e["detail"]) for e in evidence), key=len, reverse=True):
        if detail and detail in rest:
            rest = rest.replace(detail, " ", 1)
        else:
            missing.append(detail)
    left = re.sub(r"[\s.,;:]+", " ", _JOINERS.sub(" ", rest)).strip()
    return ExplanationAudit(missing=tuple(missing), unsupported=left)
