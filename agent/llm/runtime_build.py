"""Compile xllamacpp for this CPU, check it, and cache it (see agent/llm/runtimes.py).

    tandem runtime build          (foreground, `nice -n 10`, prints the compiler's progress)
    python -m agent.llm.runtime_build [--model PATH] [--nice N]

pip builds the pinned xllamacpp version from its PyPI source with llama.cpp's
``GGML_NATIVE`` (``-march=native``), at most two compile jobs, and installs the wheel into
the cache.  Two parts of the upstream build fetch code from git hosts this machine cannot
reach, so they are switched off:

- LLGuidance (a Rust crate): llama.cpp then enforces ``response_format`` JSON schemas
  with its own schema-to-grammar converter (GBNF) instead; the check below proves it.
- BoringSSL: only the server's HTTPS client uses it; we talk plain HTTP on loopback.

The build is only used once ``ready.json`` exists, written after a separate Python
process imported the build and, given a model, got schema-valid JSON from it; given a
model, the build is also measured against the prebuilt wheel (agent/llm/runtime_speed.py)
and `auto` loads whichever was faster.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.llm.build_process import run_on_build
from agent.llm.runtime_speed import ROUNDS, compare
from agent.llm.runtimes import (
    READY_FILE,
    RUNTIME_ENV,
    XLLAMACPP_VERSION,
    cache_root,
    cpu_flags,
    cpu_key,
    describe_speeds,
    native_dir,
    native_info,
)

# -march=native, less AMX: this VM's CPU lists the AMX flags, but ggml's AMX kernels crash
# in the first matrix multiply here (SIGSEGV in ggml_backend_amx_mul_mat, measured); gcc
# keeps explicit -mno-* flags whatever -march implies.
_NO_AMX = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
CMAKE_ARGS = (f"-DGGML_NATIVE=ON '-DCMAKE_C_FLAGS={_NO_AMX}' '-DCMAKE_CXX_FLAGS={_NO_AMX}' "
              "-DLLAMA_LLGUIDANCE=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF")
# What the build took on this project's 2-core machine (measured, see README): shown
# before it starts so nobody waits blind.
EXPECTED_MINUTES = "10-15"
AUTOBUILD_ENV = "TANDEM_RUNTIME_AUTOBUILD"


class BuildBusy(RuntimeError):
    """Another process is building the native runtime right now."""


@contextmanager
def _build_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "build.lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy(f"a native runtime build is already running ({root})") from None
        yield


def build_running(root: Path | None = None) -> bool:
    """True while some process holds the build lock."""
    path = (root or cache_root()) / "build.lock"
    if not path.exists():
        return False
    with path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def build_native(model: Path | None = None, *, niceness: int = 10, wheel: Path | None = None,
                 echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Build, install and check the native runtime; returns its ready.json record.

    ``wheel``: install and check this already built wheel (one kept from an earlier build
    for the same CPU, e.g. ``<build dir>/wheel/``) instead of compiling.

    Raises BuildBusy when another build runs, CalledProcessError when a step fails (the
    cache then holds no ready.json and the prebuilt wheel stays in use).
    """
    root, target = cache_root(), native_dir()
    with _build_lock(root):
        if (info := native_info(target)) is not None:
            echo(f"native runtime already built: {target}")
            return info
        jobs = str(min(2, os.cpu_count() or 1))  # two cores shared with everything else
        if wheel is None:
            echo(f"building xllamacpp {XLLAMACPP_VERSION} for this CPU ({cpu_key()}) with "
                 f"{jobs} jobs at nice {niceness}; expect {EXPECTED_MINUTES} minutes on 2 "
                 "cores")
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="tandem-runtime-") as tmp:
            env = {**os.environ, "CMAKE_ARGS": CMAKE_ARGS, "NPROC": jobs,
                   "CMAKE_BUILD_PARALLEL_LEVEL": jobs, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
            pip = [sys.executable, "-m", "pip"]
            if wheel is None:
                # --no-binary for xllamacpp only: its build tools (Cython, setuptools) come
                # as wheels, which saves minutes.
                _run([*pip, "wheel", "--no-deps", "--no-binary", "xllamacpp", "-w", tmp,
                      f"xllamacpp=={XLLAMACPP_VERSION}"], env, niceness)
            else:
                shutil.copy2(wheel, Path(tmp) / wheel.name)
            wheels = sorted(Path(tmp).glob("xllamacpp-*.whl"))
            if not wheels:
                raise RuntimeError("pip built no xllamacpp wheel")
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
            try:
                _run([*pip, "install", "--quiet", "--no-deps", "--target",
                      str(staging / "site"), str(wheels[0])], env, 0)
                (staging / "wheel").mkdir()
                shutil.copy2(wheels[0], staging / "wheel" / wheels[0].name)
                build_s = time.perf_counter() - started if wheel is None else 0.0
                echo(f"built in {build_s / 60:.1f} min" if wheel is None else
                     f"installed {wheel.name}")
                echo("checking it in a separate process (import, schema-constrained JSON)")
                check = check_build(staging / "site", model)
                info = {"version": XLLAMACPP_VERSION, "cpu_key": cpu_key(),
                        "cpu_flags": cpu_flags(), "cmake_args": CMAKE_ARGS,
                        "build_seconds": round(build_s), "wheel": wheels[0].name, "check": check,
                        "built_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
                if model is not None:
                    info["speed"] = _measured(staging / "site", model, echo)
                (staging / READY_FILE).write_text(json.dumps(info, indent=2) + "\n")
                shutil.rmtree(target, ignore_errors=True)
                os.replace(staging, target)  # atomic: a half-built cache is never seen
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        echo(f"native runtime ready: {target}")
        return info


def _measured(site: Path, model: Path, echo: Callable[[str], None]) -> dict[str, Any]:
    echo(f"measuring it against the prebuilt wheel ({ROUNDS} rounds each, about a minute)")
    speed = compare(site, model)
    echo(f"the {speed['faster']} runtime is faster here: {describe_speeds(speed)}")
    return speed


def measure_native(model: Path, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Measure this CPU's native build against the wheel again and keep the result in its
    record (a build made before builds were measured, or a machine that changed)."""
    target = native_dir()
    with _build_lock(cache_root()):
        info = native_info(target)
        if info is None:
            raise RuntimeError(f"no native build for this CPU in {target} "
                               "(`tandem runtime build`)")
        info["speed"] = _measured(target / "site", model, echo)
        partial = target / f"{READY_FILE}.partial"
        partial.write_text(json.dumps(info, indent=2) + "\n")
        os.replace(partial, target / READY_FILE)
    return info


def _run(cmd: list[str], env: dict[str, str], niceness: int) -> None:
    subprocess.run(cmd, env=env, check=True,
                   preexec_fn=(lambda: os.nice(niceness)) if niceness else None)


_CHECK = r"""
model = args[0]
if not model:
    print(json.dumps({"imported": True, "schema": "not checked: no model file"}))
    raise SystemExit
from agent.llm.embedded import EmbeddedRuntime
from agent.llm.structured_check import schema_round_trip
rt = EmbeddedRuntime(model, threads=2, context_tokens=1024)
rt.start()
print(json.dumps({"imported": True, "schema": schema_round_trip(rt)}))
rt.stop()
"""


def check_build(site: Path, model: Path | None) -> dict[str, Any]:
    """Import the build in a fresh process and, given a model, check schema enforcement."""
    return run_on_build(_CHECK, site, str(model or ""), timeout=600,
                        what="the native build's check")


def start_background_build(model: Path | None, log: Callable[[str], None]) -> bool:
    """Start a low-priority build in its own process when none exists yet; True if started.

    Off in CI (the build would compete with the tests for the two cores), with
    TANDEM_RUNTIME_AUTOBUILD=0 and with TANDEM_LLM_RUNTIME=prebuilt.  The running server
    keeps the prebuilt wheel; the next start loads the native build.
    """
    if os.environ.get(AUTOBUILD_ENV, "1") == "0" or os.environ.get("CI"):
        return False
    if os.environ.get(RUNTIME_ENV, "auto").lower() == "prebuilt":
        return False  # asked for the prebuilt wheel: no use for a build
    if native_info() is not None or build_running():
        return False
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    logfile = root / "build.log"
    cmd = [sys.executable, "-m", "agent.llm.runtime_build", "--nice", "19"]
    if model is not None:
        cmd += ["--model", str(model)]
    with logfile.open("w") as fh:
        subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True,  # outlives a server stopped meanwhile
                         cwd=Path(__file__).resolve().parents[2])
    log(f"compiling llama.cpp for this CPU in the background at low priority (about "
        f"{EXPECTED_MINUTES} min on 2 cores; log: {logfile}); the next start uses it")
    return True


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Build the native embedded runtime.")
    ap.add_argument("--model", type=Path, default=None,
                    help="GGUF file for the structured-output check (skipped without)")
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--wheel", type=Path, default=None,
                    help="install and check this built wheel instead of compiling")
    args = ap.parse_args(argv)
    try:
        build_native(args.model, niceness=args.nice, wheel=args.wheel)
    except BuildBusy as exc:
        print(exc)


if __name__ == "__main__":
    main()
