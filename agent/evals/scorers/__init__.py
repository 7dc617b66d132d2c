"""Scorers over recorded transcripts, one file each; none needs a model except the judge."""

from __future__ import annotations

from agent.evals.scorers.base import Outcome, Scorer, ScoreResult
from agent.evals.scorers.constraints import ConstraintScorer
from agent.evals.scorers.cost import CostScorer
from agent.evals.scorers.explanation import ExplanationScorer
from agent.evals.scorers.grounding import GroundingScorer
from agent.evals.scorers.handoff_summary import HandoffSummaryScorer
from agent.evals.scorers.order_status import OrderStatusScorer
from agent.evals.scorers.phrases import PhraseScorer
from agent.evals.scorers.privacy import PrivacyScorer
from agent.evals.scorers.route import RouteScorer
from agent.evals.scorers.tone import ToneScorer

__all__ = ["Outcome", "ScoreResult", "Scorer", "default_scorers"]


def default_scorers() -> list[Scorer]:
    """Every offline scorer, in report order (the LLM judge is added on request)."""
    return [RouteScorer(), GroundingScorer(), ConstraintScorer(), ExplanationScorer(),
            PrivacyScorer(), OrderStatusScorer(), HandoffSummaryScorer(), PhraseScorer(),
            ToneScorer(), CostScorer()]
