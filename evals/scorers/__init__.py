"""Scorers over recorded transcripts, one file each; none needs a model except the judge."""

from __future__ import annotations

from evals.scorers.base import Outcome, Scorer, ScoreResult
from evals.scorers.claims import ClaimScorer
from evals.scorers.constraints import ConstraintScorer
from evals.scorers.cost import CostScorer
from evals.scorers.explanation import ExplanationScorer
from evals.scorers.grounding import GroundingScorer
from evals.scorers.handoff_summary import HandoffSummaryScorer
from evals.scorers.order_status import OrderStatusScorer
from evals.scorers.phrases import PhraseScorer
from evals.scorers.privacy import PrivacyScorer
from evals.scorers.route import RouteScorer
from evals.scorers.tone import ToneScorer
from evals.scorers.variant import VariantScorer

__all__ = ["Outcome", "ScoreResult", "Scorer", "default_scorers"]


def default_scorers() -> list[Scorer]:
    """Every offline scorer, in report order (the LLM judge is added on request)."""
    return [RouteScorer(), GroundingScorer(), ConstraintScorer(), ExplanationScorer(),
            VariantScorer(), ClaimScorer(), PrivacyScorer(), OrderStatusScorer(),
            HandoffSummaryScorer(), PhraseScorer(), ToneScorer(), CostScorer()]
