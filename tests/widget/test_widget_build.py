"""The served widget is the build of its source: api/static/widget.js is committed (so
`make run` needs no Node), and rebuilding widget/src/ with the pinned esbuild must give the
same bytes. Its size budget is measured on that built file, gzipped as a CDN would serve it.

Needs Node and `npm ci` (`make test` runs it); without them these tests skip with the
reason, except in CI (`CI=true`), where they fail.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVED = ROOT / "api" / "static" / "widget.js"
SIZE_BUDGET_GZIP_BYTES = 30 * 1024


def _need_node_tools() -> str:
    node = shutil.which("node")
    missing = ("node is not installed" if node is None else
               "node_modules/esbuild is missing: run `npm ci`"
               if not (ROOT / "node_modules" / "esbuild").is_dir() else None)
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"must run in CI: {missing}")
        pytest.skip(missing)
    assert node is not None
    return node


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    node = _need_node_tools()
    out = tmp_path_factory.mktemp("widget") / "widget.js"
    done = subprocess.run([node, str(ROOT / "widget" / "build.js"), str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_the_committed_widget_is_the_build_of_its_source(rebuilt: bytes) -> None:
    assert rebuilt == SERVED.read_bytes(), (
        "api/static/widget.js differs from a build of widget/src/: run `make widget` "
        "and commit the result")


def test_the_built_widget_fits_the_size_budget(rebuilt: bytes) -> None:
    gzipped = len(gzip.compress(rebuilt, compresslevel=9))
    assert gzipped <= SIZE_BUDGET_GZIP_BYTES, f"{gzipped} bytes gzipped"


def test_the_build_is_one_classic_script_with_no_module_syntax(rebuilt: bytes) -> None:
    """A retailer pastes one <script> tag, without type="module": no import or export may
    survive bundling, and everything runs inside one function (no globals but Tandem)."""
    text = rebuilt.decode()
    code = text[text.index("*/") + 2:].strip()
    assert code.startswith("(()=>{") and code.endswith("})();")
    assert "import " not in code and "export " not in code
