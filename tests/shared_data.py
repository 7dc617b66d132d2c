"""The external data sets (`../shared/data`) the tests read in place, never copied.

A fresh clone has no `../shared`, so tests that need a data set skip with the reason; CI
(`CI=true`) always has it, so there a missing data set fails the test instead of hiding it.
`TANDEM_DATA_DIR` points elsewhere when the data lives in another folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(os.environ.get("TANDEM_DATA_DIR")
                   or Path(__file__).resolve().parents[2] / "shared" / "data")


def shared_data(*parts: str) -> Path:
    """The path of a data set under the shared data folder; skips (fails in CI) if absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        reason = f"external data not found at {path} (set TANDEM_DATA_DIR)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"must run in CI: {reason}")
        pytest.skip(reason)
    return path


def data_dir_or_none() -> Path | None:
    """The shared data folder for settings (`data_dir`), or None in a fresh clone."""
    return SHARED_DATA if SHARED_DATA.is_dir() else None
