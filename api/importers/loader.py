"""Pick the importer for a path, check the data, then write it: the steps `tandem import`
runs, in the order that guarantees the report is seen before anything is written."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.importers.json_store import load_json_store
from api.importers.quality import QualityReport, check_quality
from api.importers.records import MalformedFile, StoreData
from api.importers.shopify_csv import load_shopify_csv
from api.importers.tau_bench import FILES as TAU_FILES
from api.importers.tau_bench import load_tau_store
from api.importers.writer import WriteResult, retired_variants, write_store
from domain.tables import Customer, Location, Variant

Format = Literal["auto", "json", "shopify", "tau"]


class CannotImport(ValueError):
    """The data was read but must not be written (the report shows blocking findings)."""


def detect_format(path: Path) -> Literal["json", "shopify", "tau"]:
    """A folder holding products.json is tau-bench; a .csv is Shopify; a .json is ours."""
    if path.is_dir():
        if (path / TAU_FILES[0]).is_file():
            return "tau"
        raise MalformedFile(path, 1, "a folder is read as a tau-bench store, but it has no "
                            f"{TAU_FILES[0]}")
    if not path.is_file():
        raise MalformedFile(path, 1, "no such file or folder")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "shopify"
    if suffix == ".json":
        return "json"
    raise MalformedFile(path, 1, f"cannot tell the format from {suffix or 'no suffix'!r}; "
                        "use --format json|shopify|tau")


def load_store(path: Path, *, fmt: Format = "auto", location_id: str | None = None,
               skip_inactive: bool = False) -> StoreData:
    """Parse `path` with the right importer; `MalformedFile` names the line and reason.
    `skip_inactive` (Shopify) leaves draft, archived and unlisted products out."""
    chosen = detect_format(path) if fmt == "auto" else fmt
    if chosen == "tau":
        if not path.is_dir():
            raise MalformedFile(path, 1, "a tau-bench store is a folder with "
                                + ", ".join(TAU_FILES))
        return load_tau_store(path, location_id=location_id)
    if not path.is_file():
        raise MalformedFile(path, 1, "no such file")
    if chosen == "shopify":
        return load_shopify_csv(path, location_id=location_id, skip_inactive=skip_inactive)
    return load_json_store(path)


def _ids(session: Session, column: object) -> frozenset[str]:
    return frozenset(session.exec(select(column)).all())  # type: ignore[call-overload]


def quality_against(engine: Engine, store: StoreData) -> QualityReport:
    """The quality report, counting ids already in the database as known (merge targets)."""
    with Session(engine) as session:
        return check_quality(
            store, known_variant_ids=_ids(session, col(Variant.id)),
            known_customer_ids=_ids(session, col(Customer.id)),
            known_location_ids=_ids(session, col(Location.id)),
            retired_variant_ids=[v.id for v in retired_variants(session, store)])


@dataclass(frozen=True)
class ImportOutcome:
    report: QualityReport
    written: WriteResult | None
    read_seconds: float
    write_seconds: float


def import_store(engine: Engine, path: Path, *, fmt: Format = "auto", dry_run: bool = False,
                 location_id: str | None = None, skip_inactive: bool = False,
                 on_report: Callable[[QualityReport], None] | None = None) -> ImportOutcome:
    """Read, check, report (through `on_report`), then write in one transaction unless this
    is a dry run.  Raises `MalformedFile` or `CannotImport` before anything is written."""
    started = time.perf_counter()
    store = load_store(path, fmt=fmt, location_id=location_id, skip_inactive=skip_inactive)
    report = quality_against(engine, store)
    read_seconds = time.perf_counter() - started
    if on_report is not None:
        on_report(report)
    if report.blocking:
        raise CannotImport("; ".join(f"{f.summary} ({f.count})" for f in report.blocking))
    if dry_run:
        return ImportOutcome(report, None, read_seconds, 0.0)
    started = time.perf_counter()
    written = write_store(engine, store)
    return ImportOutcome(report, written, read_seconds, time.perf_counter() - started)
