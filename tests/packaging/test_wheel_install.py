"""The wheel installs and serves anywhere: built from this checkout, installed in a fresh
virtual environment outside it, and run from a folder that is not the checkout.

One retailer's folder, as the README tells it: `tandem init .` writes editable copies of the
prompts and policies, `tandem demo-data` fills the default SQLite database, `tandem serve`
answers with the scripted model (no model download). The checks are what a user would
notice: a product question gets in-stock cards, the widget and storefront are served, and
an edit to the copied policy and prompt changes the answer.

Marked `packaging` (`make test-packaging` runs it alone; `make test` runs it with the rest).
The dependencies come from PyPI or pip's cache, pinned to this environment's versions so
pip takes the files it already has; the `embedded` extra is not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
# The wheel is built from a copy holding only what the build reads, so the build's own
# folders (build/, *.egg-info) never land in the checkout.
NOT_BUILT_FROM = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "var", "artifacts", "build", "dist", "*.egg-info",
    "__pycache__", ".*_cache", "tests", "widget", "docs", "results")
# Files a server reads at run time, beside the code: each must be inside the wheel.
PACKAGE_DATA = ("prompts/*.j2", "policies/*.yaml", "api/static/*", "api/templates/*.html",
                "api/templates/console/*.html", "agent/triage/model/*",
                "evals/suites/*.yaml", "evals/schema/*.json", "evals/prompts/*.j2",
                "evals/templates/*.j2", "evals/thresholds.yaml")
JACKET = "waterproof hiking jacket under $200, size M"
INSTALL_TIMEOUT_S = 600
START_TIMEOUT_S = 120


@dataclass
class Installed:
    wheel: Path
    venv: Path
    shop: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 300) -> str:
        """A `tandem` command in the shop folder, from the installed package only."""
        done = subprocess.run([str(self.venv / "bin" / "tandem"), *args], cwd=self.shop,
                              env=self.env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"tandem {' '.join(args)} failed:\n{done.stderr[-3000:]}"
        return done.stdout


def _outside_env() -> dict[str, str]:
    """This process's environment without what would let the checkout or its settings in."""
    leaks = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    return {key: value for key, value in os.environ.items()
            if key not in leaks and not key.startswith("TANDEM_")}


def _this_environment_pins(workdir: Path) -> Path:
    """pip constraints: every distribution installed here at its version (not tandem)."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    pins = [line for line in frozen.splitlines()
            if line and not line.startswith(("-e", "#", "tandem"))]
    path = workdir / "constraints.txt"
    path.write_text("\n".join(pins) + "\n")
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    assert not work.resolve().is_relative_to(ROOT), "the install must be outside the checkout"
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_BUILT_FROM)
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"),
                    str(source)], check=True, capture_output=True, timeout=INSTALL_TIMEOUT_S)
    (wheel,) = (work / "dist").glob("tandem-*.whl")

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = _outside_env()
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--constraint", str(_this_environment_pins(work)), str(wheel)],
        env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
    assert install.returncode == 0, f"pip install of the wheel failed:\n{install.stderr[-3000:]}"
    shop = work / "shop"
    shop.mkdir()
    return Installed(wheel=wheel, venv=venv, shop=shop, env=env)


def test_the_wheel_carries_every_file_a_server_reads(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    expected = {str(path.relative_to(ROOT)) for pattern in PACKAGE_DATA
                for path in ROOT.glob(pattern) if path.is_file()}
    assert len(expected) > 30
    assert sorted(expected - names) == []
    assert not [name for name in names if name.startswith(("tests/", "widget/"))]


def test_the_installed_package_is_the_one_that_runs(installed: Installed) -> None:
    where = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c",
         "import agent, api, evals, prompts, tandem; print(api.__file__, prompts.__file__)"],
        cwd=installed.shop, env=installed.env, capture_output=True, text=True, check=True)
    for path in where.stdout.split():
        assert Path(path).is_relative_to(installed.venv), path



def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(installed: Installed) -> Iterator[httpx.Client]:
    """`tandem serve` with the scripted model, in the shop folder, until the block ends."""
    port = _free_port()
    log = installed.shop / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(installed.venv / "bin" / "tandem"), "serve", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=installed.shop, env={**installed.env, "TANDEM_LLM_PROVIDER": "scripted"},
            stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                assert server.poll() is None, f"tandem serve exited:\n{log.read_text()[-3000:]}"
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"not healthy:\n{log.read_text()[-3000:]}"
                time.sleep(0.5)
            yield client
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _say(client: httpx.Client, text: str) -> dict[str, Any]:
    chat = client.post("/v1/conversations")
    assert chat.status_code == 201, chat.text
    conversation = chat.json()
    reply = client.post(f"/v1/conversations/{conversation['id']}/messages",
                        headers={"Authorization": f"Bearer {conversation['token']}"},
                        json={"text": text, "client_message_id": uuid.uuid4().hex})
    assert reply.status_code == 200, reply.text
    turn: dict[str, Any] = reply.json()
    return turn


def test_init_demo_data_and_a_turn_from_the_installed_wheel(installed: Installed) -> None:
    shop = installed.shop
    installed.run("init", ".")
    policy = shop / "policies" / "store_policy.yaml"
    prompt = shop / "prompts" / "store_policy.j2"
    assert "window_days: 30" in policy.read_text()
    # The retailer's edits: a longer return window, and a sentence of their own.
    policy.write_text(policy.read_text().replace("window_days: 30", "window_days: 60", 1))
    prompt.write_text(prompt.read_text().replace(
        "You can return an item", "Ridgeline promise: you can return an item", 1))

    written = installed.run("demo-data")
    assert "sqlite:///var/tandem.db" in written and "products=71" in written
    assert (shop / "var" / "tandem.db").is_file()

    with serving(installed) as client:
        turn = _say(client, JACKET)
        assert turn["route"] == "assistant" and turn["intent"] == "discovery"
        cards = turn["reply"]["suggestions"]
        assert cards and "in stock" in turn["reply"]["text"]
        for card in cards:
            assert card["in_stock"] is True and card["size"] == "M" and card["price"] <= 200
            assert card["because"].startswith("Because you asked for")

        policy_turn = _say(client, "what is your return policy?")
        assert "Ridgeline promise: you can return an item within 60 days of delivery" in (
            policy_turn["reply"]["text"])

        widget = client.get("/widget.js")
        assert widget.status_code == 200
        assert widget.content == (ROOT / "api" / "static" / "widget.js").read_bytes()
        storefront = client.get("/")
        assert storefront.status_code == 200 and "widget.js" in storefront.text
