"""Run a short script on one llama.cpp build in a fresh process and read the JSON it prints.

A process holds one xllamacpp (an extension module, loaded once), so checking a new build
(agent/llm/runtime_build.py) or measuring each build against the other
(agent/llm/runtime_speed.py) takes a process per build.  The script's body runs after a
preamble that imports the build from `site` (None: the prebuilt wheel) and puts this
project on the path; it finds `site`, `project` and its own `args` defined, and its last
line of output must be one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_PREAMBLE = r"""
import json, sys
site, project, args = sys.argv[1], sys.argv[2], sys.argv[3:]
if site:
    sys.path.insert(0, site)
    import xllamacpp
    assert xllamacpp.__file__.startswith(site), xllamacpp.__file__
sys.path.insert(1, project)
"""


def run_on_build(body: str, site: Path | None, *args: str, timeout: float,
                 what: str) -> dict[str, Any]:
    """The JSON object the script printed last; RuntimeError naming `what` if it failed."""
    project = Path(__file__).resolve().parents[2]
    env = {**os.environ, "TANDEM_RUNTIME_AUTOBUILD": "0"}  # a check never starts a build
    out = subprocess.run(
        [sys.executable, "-c", _PREAMBLE + body, str(site or ""), str(project), *args],
        capture_output=True, text=True, timeout=timeout, check=False, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{what} failed: {out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
