"""A prompt engineer runs the eval commands on a checkout with nothing configured: they use
a fresh SQLite store of their own and serve nothing, so they need no production secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_an_eval_run_needs_no_secrets(tmp_path: Path) -> None:
    suite = tmp_path / "one.yaml"
    suite.write_text("name: one\ncases:\n  - id: hello\n    turns:\n"
                     "      - say: \"hi\"\n        expect: {intent: smalltalk}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    done = subprocess.run([sys.executable, "-m", "tandem", "eval", "run", str(suite),
                           "--provider", "scripted", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=env | {"PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pass@1 100.0%" in done.stdout
    assert (tmp_path / "out" / "results.json").exists()
