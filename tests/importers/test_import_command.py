"""`tandem import` from the command line: formats, --dry-run, errors, fit-feedback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from api.importers.loader import detect_format
from api.importers.records import MalformedFile
from api.settings import get_settings
from domain.tables import Product, Variant
from tandem.cli import app
from tests.importers.shopify_files import product_row, variant_row, write_csv


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, fresh_engine: Engine) -> Iterator[Engine]:
    """The command's settings point at this test's own database."""
    monkeypatch.setenv("TANDEM_DATABASE_URL", str(fresh_engine.url))
    get_settings.cache_clear()
    yield fresh_engine
    get_settings.cache_clear()


def _csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "products_export.csv", [
        product_row("tee", "Tee", sku="T-M", values=("M", "Blue")),
        variant_row("tee", sku="", values=("L", "Blue"))])


def _products(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Product)).one())


def test_dry_run_prints_the_report_and_writes_nothing(tmp_path: Path, cli_db: Engine) -> None:
    result = CliRunner().invoke(app, ["import", str(_csv(tmp_path)), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Data-quality report: shopify store" in result.output
    assert "Rows: 2 read = 2 variants + 0 without variant data (extra images) + 0 skipped" \
        in result.output
    assert "1 products, 2 variants (0 not available)" in result.output
    assert "Dry run: nothing written" in result.output
    assert _products(cli_db) == 0


def test_the_report_is_printed_before_the_write(tmp_path: Path, cli_db: Engine) -> None:
    result = CliRunner().invoke(app, ["import", str(_csv(tmp_path)), "--format", "shopify"])
    assert result.exit_code == 0, result.output
    assert result.output.index("Data-quality report") < result.output.index("Written:")
    assert "products 1 added / 0 updated" in result.output
    with Session(cli_db) as session:
        assert [v.sku for v in session.exec(select(Variant)).all()] == ["T-M", None]

    again = CliRunner().invoke(app, ["import", str(_csv(tmp_path))])
    assert "products 0 added / 0 updated / 1 unchanged" in again.output
    assert "variants 0 added / 0 updated / 2 unchanged" in again.output


def test_a_dry_run_shows_the_same_report_as_the_import(tmp_path: Path, cli_db: Engine) -> None:
    path = write_csv(tmp_path / "p.csv", [
        product_row("tee", "Tee", sku="T-M", values=("M", "Blue")),
        variant_row("tee", sku="T-L", values=("L", "Blue"), qty="many"),
        product_row("cap", "Cap", sku="C-1", status="draft")])
    dry = CliRunner().invoke(app, ["import", str(path), "--dry-run"])
    real = CliRunner().invoke(app, ["import", str(path)])
    assert dry.exit_code == real.exit_code == 0, real.output
    report = dry.output.split("Dry run:")[0]
    assert real.output.startswith(report), "the same report, then the write"
    assert "2 products (1 not for sale)" in report
    assert "line 3: column 18 (Variant Inventory Qty): 'many' is not a number" in report

    skipped = CliRunner().invoke(app, ["import", str(path), "--dry-run", "--skip-inactive"])
    assert "1 products, 1 variants" in skipped.output
    assert "not for sale (--skip-inactive) 1" in skipped.output


def test_a_file_that_cannot_be_read_exits_with_the_line(tmp_path: Path,
                                                        cli_db: Engine) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('Handle,Title\ntee,"Tee\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 2
    assert "bad.csv line 2: bad CSV: unexpected end of data" in result.stderr
    assert _products(cli_db) == 0


def test_the_format_is_told_from_the_path(tmp_path: Path) -> None:
    (tmp_path / "tau").mkdir()
    (tmp_path / "tau" / "products.json").write_text("{}", encoding="utf-8")
    (tmp_path / "s.json").write_text("{}", encoding="utf-8")
    assert detect_format(tmp_path / "tau") == "tau"
    assert detect_format(_csv(tmp_path)) == "shopify"
    assert detect_format(tmp_path / "s.json") == "json"
    (tmp_path / "s.xlsx").write_bytes(b"PK")
    with pytest.raises(MalformedFile, match="use --format"):
        detect_format(tmp_path / "s.xlsx")
    with pytest.raises(MalformedFile, match=r"no products\.json"):
        detect_format(tmp_path)


def test_fit_feedback_without_a_file_says_how_to_call_it() -> None:
    # The import itself is tested with real records in tests/commerce/.
    missing = CliRunner().invoke(app, ["import", "fit-feedback"])
    assert missing.exit_code == 2 and "FILE.csv" in missing.stderr
