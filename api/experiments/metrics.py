"""The outcome metrics, defined once: what each counts per visitor, and which way is better.

Every metric is a ratio of two per-visitor sums, `numerator / denominator`, over the
visitors exposed to a variant: for a *per-visitor* metric the denominator is the visitor
(1 each), so the estimate is a plain mean; for a *ratio* metric (average order value,
return rate, CSAT, the conversation outcomes) both are per-visitor sums and the interval
comes from the delta method, with the visitor as the unit (so a visitor with many orders
does not count as many independent trials).

The per-visitor fields are filled by `api.experiments.outcomes`: commerce fields from the
storefront's events, conversation fields from the conversations the visitor had.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

COMMERCE_FIELDS = ("purchases", "revenue", "margin", "returns", "csat_sum", "csat_n",
                   "influenced_revenue", "net_satisfied")
"""Per-visitor sums read from outcome events."""
CONVERSATION_FIELDS = ("conversations", "handoffs", "confirmed", "assumed", "assumed_due",
                       "durable", "durable_due", "human_wait_s", "human_replied",
                       "human_minutes", "csat_ai_sum", "csat_ai_n", "csat_human_sum",
                       "csat_human_n")
"""Per-visitor sums read from the visitor's conversations (greetings alone excluded)."""
FIELDS = COMMERCE_FIELDS + CONVERSATION_FIELDS
VISITOR = "visitor"
"""The denominator of per-visitor metrics: each exposed visitor counts once."""
COMPOSITE_PARTS = ("revenue", "margin", "returns", "csat", "human_minutes")
"""What the composite score weighs (weights in the experiment file)."""


@dataclass(frozen=True)
class Metric:
    name: str
    numerator: str
    denominator: str
    """A field name, or VISITOR for a per-visitor metric."""
    higher_is_better: bool
    description: str
    binary: bool = False
    """The numerator is "at least one" of something (conversion), not a sum."""

    @property
    def kind(self) -> Literal["per_visitor", "ratio"]:
        return "per_visitor" if self.denominator == VISITOR else "ratio"


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("conversion", "purchases", VISITOR, True,
           "share of exposed visitors with at least one purchase", binary=True),
    Metric("revenue_per_visitor", "revenue", VISITOR, True,
           "purchase value per exposed visitor"),
    Metric("margin_per_visitor", "margin", VISITOR, True, "purchase margin per exposed visitor"),
    Metric("aov", "revenue", "purchases", True, "average order value (revenue / purchases)"),
    Metric("return_rate", "returns", "purchases", False, "returns per purchase"),
    Metric("csat", "csat_sum", "csat_n", True, "mean CSAT score (1-5) of the scores given"),
    Metric("revenue_influenced", "influenced_revenue", VISITOR, True,
           "purchase value per visitor that followed an add-to-cart from a suggestion card "
           "within 7 days"),
    Metric("handoff_rate", "handoffs", "conversations", False,
           "conversations handed to a person / conversations"),
    Metric("resolution_confirmed", "confirmed", "conversations", True,
           "conversations the shopper said helped (CSAT >= 4 or thanks) / conversations"),
    Metric("resolution_assumed", "assumed", "assumed_due", True,
           "conversations with no handoff and no further message within 24 h / "
           "conversations at least 24 h old"),
    Metric("resolution_durable", "durable", "durable_due", True,
           "resolved conversations not reopened or escalated within 7 days / "
           "conversations at least 7 days old"),
    Metric("time_to_human_reply", "human_wait_s", "human_replied", False,
           "seconds from a handoff to the first reply by a person"),
    Metric("human_minutes", "human_minutes", VISITOR, False,
           "minutes people spent on the visitor's conversations (claim to close)"),
    Metric("csat_assistant_only", "csat_ai_sum", "csat_ai_n", True,
           "mean CSAT of conversations no person touched"),
    Metric("csat_human_touched", "csat_human_sum", "csat_human_n", True,
           "mean CSAT of conversations a person took over"),
    Metric("composite", "composite", VISITOR, True,
           "the experiment file's weighted sum of revenue, margin, returns, net satisfied "
           "CSAT answers (>= 4 minus <= 2) and human minutes, per visitor"),
)}
"""Every metric an experiment may name as primary or guardrail."""


def metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}") from None
