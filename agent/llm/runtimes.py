"""Which llama.cpp build the embedded runtime loads: a native build for this CPU, or the
prebuilt xllamacpp wheel.

The prebuilt wheel targets AVX2 so that it runs everywhere; on a machine with AVX-512
(VNNI, BF16) llama.cpp compiled for it evaluates prompts markedly faster, and on others it
may not be faster at all, so the choice is measured.  PyPI has no such wheel, so `tandem
runtime build` (agent/llm/runtime_build.py) compiles the same
xllamacpp version from its PyPI source for this CPU, once, and keeps it under
``~/.cache/tandem/runtimes/<version>-<cpu key>/``.  The key covers the CPU's instruction
set flags: a cache copied to another kind of CPU is never loaded there.

The same package, the same ``xllamacpp.Server`` API: only where it is imported from
changes.  ``TANDEM_LLM_RUNTIME`` picks one (``auto``, the default: the native build when
it is there, was checked after its build and measured faster than the wheel
(agent/llm/runtime_speed.py), else the prebuilt wheel; ``native``; ``prebuilt``).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

logger = logging.getLogger(__name__)

# Must match the pin in pyproject.toml's `embedded` extra: the native build compiles the
# very version whose API embedded.py was written against.
XLLAMACPP_VERSION = "2026.10.11549"
RuntimeName = Literal["native", "prebuilt"]
RUNTIME_ENV = "TANDEM_LLM_RUNTIME"
CACHE_ENV = "TANDEM_RUNTIME_CACHE"
# The flags that decide which SIMD kernels a -march=native build may contain.
_ISA_PREFIXES = ("avx", "sse", "fma", "f16c", "bmi", "amx", "vnni", "popcnt")
READY_FILE = "ready.json"


@dataclass(frozen=True)
class RuntimeChoice:
    """The runtime to load and why (logged at start, shown by `tandem bench`)."""

    name: RuntimeName
    site_dir: Path | None
    """Directory holding the native build's ``xllamacpp`` package; None for the wheel."""
    reason: str

    def describe(self) -> str:
        return f"{self.name} ({self.reason})"


def cpu_flags() -> list[str]:
    """The CPU's SIMD-relevant flags from /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = line.partition(":")[2].split()
            return sorted({f for f in flags if f.startswith(_ISA_PREFIXES)})
    return []


def cpu_key(flags: list[str] | None = None) -> str:
    """A short key for this CPU's instruction set (architecture + SIMD flags)."""
    flags = cpu_flags() if flags is None else flags
    digest = hashlib.sha256(" ".join(flags).encode()).hexdigest()[:10]
    return f"{platform.machine()}-{digest}"


def cache_root() -> Path:
    default = Path.home() / ".cache" / "tandem" / "runtimes"
    return Path(os.environ.get(CACHE_ENV) or default)


def native_dir(root: Path | None = None, key: str | None = None) -> Path:
    """Where this CPU's native build of XLLAMACPP_VERSION lives (may not exist)."""
    return (root or cache_root()) / f"xllamacpp-{XLLAMACPP_VERSION}-{key or cpu_key()}"


def native_info(directory: Path | None = None) -> dict[str, Any] | None:
    """The native build's record (build time, flags, check result), or None if absent.

    ready.json is written last by the build, after the built package imported and
    answered a schema-constrained request in a separate process; a build that was
    interrupted or failed its check leaves none, and is never loaded.
    """
    directory = directory or native_dir()
    try:
        info = json.loads((directory / READY_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not (directory / "site" / "xllamacpp").is_dir():
        return None
    return info


def choose_runtime(wanted: str | None = None, directory: Path | None = None) -> RuntimeChoice:
    """Decide which build to load, from ``TANDEM_LLM_RUNTIME`` and what is on disk."""
    wanted = (wanted or os.environ.get(RUNTIME_ENV) or "auto").lower()
    if wanted not in ("auto", "native", "prebuilt"):
        raise ValueError(f"{RUNTIME_ENV}={wanted!r}: use auto, native or prebuilt")
    if wanted == "prebuilt":
        return RuntimeChoice("prebuilt", None, f"{RUNTIME_ENV}=prebuilt")
    directory = directory or native_dir()
    info = native_info(directory)
    if info is None:
        reason = f"no native build for this CPU in {directory} (`tandem runtime build`)"
        if wanted == "native":
            raise RuntimeError(f"{RUNTIME_ENV}=native but {reason}")
        return RuntimeChoice("prebuilt", None, reason)
    speed = info.get("speed")
    if wanted == "auto" and isinstance(speed, dict) and speed.get("faster") == "prebuilt":
        return RuntimeChoice("prebuilt", None, "measured faster than this CPU's native build "
                             f"({describe_speeds(speed)})")
    measured = ""
    if isinstance(speed, dict):
        verdict = "measured faster" if speed.get("faster") == "native" else \
            "asked for by name, though the wheel measured as fast or faster"
        measured = f"; {verdict} ({describe_speeds(speed)})"
    return RuntimeChoice("native", directory / "site",
                         f"built {info.get('built_at', '?')} for this CPU{measured}")


def describe_speeds(speed: dict[str, Any]) -> str:
    """E.g. "native 43.1 / prebuilt 53.4 prompt tok/s, 16.0 / 18.2 generated"."""
    native, prebuilt = speed.get("native") or {}, speed.get("prebuilt") or {}
    return (f"native {native.get('prompt_tok_s')} / prebuilt {prebuilt.get('prompt_tok_s')} "
            f"prompt tok/s, {native.get('gen_tok_s')} / {prebuilt.get('gen_tok_s')} generated")


def import_xllamacpp(choice: RuntimeChoice) -> tuple[Any, RuntimeChoice]:
    """Import xllamacpp from the chosen build; returns the module and what was loaded.

    One copy per process: once a build is imported the other cannot be (same module
    name), so a later call reports the one already loaded.  A native build that fails to
    import falls back to the prebuilt wheel, with the reason logged.
    """
    loaded = sys.modules.get("xllamacpp")
    if loaded is not None:
        return loaded, _loaded_choice(loaded, choice)
    if choice.site_dir is not None:
        site = str(choice.site_dir)
        sys.path.insert(0, site)
        try:
            module = importlib.import_module("xllamacpp")
            return module, choice
        except ImportError as exc:
            for name in [n for n in sys.modules if n == "xllamacpp" or
                         n.startswith("xllamacpp.")]:
                del sys.modules[name]
            choice = RuntimeChoice("prebuilt", None, f"native build failed to load: {exc}")
            logger.warning("embedded runtime: %s", choice.reason)
        finally:
            if site in sys.path:
                sys.path.remove(site)
    return importlib.import_module("xllamacpp"), choice


def _loaded_choice(module: Any, choice: RuntimeChoice) -> RuntimeChoice:
    """What an already imported xllamacpp is, judged by where its files are."""
    where = Path(getattr(module, "__file__", "") or "").resolve()
    native = next((p for p in where.parents if p.name == "site"
                   and p.parent.name.startswith("xllamacpp-")), None)
    if native is not None:
        return choice if choice.site_dir == native else RuntimeChoice(
            "native", native, "a native build was already imported")
    if choice.name == "prebuilt":
        return choice
    return RuntimeChoice("prebuilt", None, "the prebuilt wheel was already imported")
