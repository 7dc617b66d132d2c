"""Fit feedback records: read from a CSV export, and from the store's `FitFeedback` table.

CSV columns (header names are case-insensitive; the Rent the Runway names in brackets are
accepted too, so its export loads as is):
    customer_id [user_id], item_id, size, fit (small | fit | large),
    optional: height_in, weight_lbs, bust_in [bust_size_num], date [review_date]
Rows are kept in file order; a malformed row is rejected with its line number and reason.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select

from agent.commerce.fit_knowledge import Fit, FitRecord, as_fit
from domain.tables import FitFeedback

_ALIASES = {"user_id": "customer_id", "bust_size_num": "bust_in", "review_date": "date",
            "product_id": "item_id", "size_bought": "size"}
_REQUIRED = ("customer_id", "item_id", "size", "fit")


class FitFileError(ValueError):
    """The file is not fit feedback we can read; the message names the line and reason."""


def _number(row: dict[str, str], name: str, line: int) -> float | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise FitFileError(f"line {line}: {name} {text!r} is not a number") from exc
    if value <= 0:
        raise FitFileError(f"line {line}: {name} must be positive, got {text!r}")
    return value


def iter_fit_csv(path: Path) -> Iterator[tuple[FitRecord, str]]:
    """(record, date text) per data row, validated."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [(_ALIASES.get(h.strip().lower(), h.strip().lower())) for h in
                  reader.fieldnames or []]
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise FitFileError(f"line 1: missing column(s) {', '.join(missing)}")
        reader.fieldnames = header
        for line, row in enumerate(reader, start=2):
            fit = (row.get("fit") or "").strip().lower()
            if fit not in get_args(Fit):
                raise FitFileError(f"line {line}: fit must be small, fit or large, got {fit!r}")
            values = {c: (row.get(c) or "").strip() for c in ("customer_id", "item_id", "size")}
            if empty := [c for c, v in values.items() if not v]:
                raise FitFileError(f"line {line}: empty {', '.join(empty)}")
            if any(len(v) > 64 for v in values.values()):
                raise FitFileError(f"line {line}: an id or size is longer than 64 characters")
            yield FitRecord(
                customer_id=values["customer_id"], item_id=values["item_id"],
                size=values["size"].upper(), fit=as_fit(fit),
                height_in=_number(row, "height_in", line),
                weight_lbs=_number(row, "weight_lbs", line),
                bust_in=_number(row, "bust_in", line),
            ), (row.get("date") or "").strip()


def read_fit_csv(path: Path) -> list[FitRecord]:
    return [record for record, _ in iter_fit_csv(path)]


def stored_records(session: Session, *, item_id: str, customer_id: str | None
                   ) -> list[FitRecord]:
    """What the advisor needs for one question about one product, oldest first: the whole
    feedback history of everyone who left feedback on this item (their usual size elsewhere
    tells how this item's sizes run), plus this customer's own feedback."""
    buyers = select(FitFeedback.customer_id).where(col(FitFeedback.item_id) == item_id)
    condition: ColumnElement[bool] = col(FitFeedback.customer_id).in_(buyers)
    if customer_id:
        condition = or_(condition, col(FitFeedback.customer_id) == customer_id)
    rows = session.exec(select(FitFeedback).where(condition)
                        .order_by(col(FitFeedback.created_at), col(FitFeedback.id))).all()
    return [FitRecord(customer_id=r.customer_id, item_id=r.item_id, size=r.size,
                      fit=as_fit(r.fit), height_in=r.height_in,
                      weight_lbs=r.weight_lbs, bust_in=r.bust_in) for r in rows]
