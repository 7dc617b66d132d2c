"""Small transcript factories for scorer tests."""

from __future__ import annotations

from typing import Any

from evals.transcript import Transcript


def transcript(*turns: dict[str, Any], **fields: Any) -> Transcript:
    return Transcript.model_validate({"case_id": "case", "turns": list(turns), **fields})


def suggestion(**fields: Any) -> dict[str, Any]:
    base = {"product_id": "P1", "variant_id": "P1-BLU-M", "name": "Cascade Jacket",
            "price": 139.0, "size": "M", "color": "Blue", "in_stock": True,
            "exists": True, "stock_at_answer": 4,
            "because": "Because you asked for rain jacket, and it comes in size M. "
                       "In stock at Portland store, delivered tomorrow.",
            "evidence": [
                {"kind": "shopper_words", "source": "message", "detail": "rain jacket"},
                {"kind": "size", "source": "message", "detail": "size M"},
                {"kind": "stock", "source": "inventory",
                 "detail": "In stock at Portland store, delivered tomorrow"}]}
    return base | fields
