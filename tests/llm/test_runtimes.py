"""Which llama.cpp build the embedded model loads (agent/llm/runtimes.py), and when a native
build is compiled in the background (agent/llm/runtime_build.py).  No model is run here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.llm import runtime_build
from agent.llm.runtime_speed import summarise
from agent.llm.runtimes import (
    READY_FILE,
    RUNTIME_ENV,
    choose_runtime,
    cpu_key,
    native_dir,
)

ROOT = Path(__file__).resolve().parents[2]


def _fake_native_build(directory: Path, init: str = "MARK = 'native'\n",
                       ready: bool = True) -> Path:
    package = directory / "site" / "xllamacpp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(init)
    if ready:
        (directory / READY_FILE).write_text(json.dumps({"built_at": "2026-12-06 19:00 UTC"}))
    return directory


def test_without_a_native_build_the_prebuilt_wheel_is_chosen_and_the_reason_says_how_to_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RUNTIME_ENV, raising=False)
    choice = choose_runtime(directory=tmp_path / "none")
    assert choice.name == "prebuilt"
    assert "tandem runtime build" in choice.reason


def test_a_checked_native_build_is_chosen(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RUNTIME_ENV, raising=False)
    build = _fake_native_build(tmp_path / "build")
    choice = choose_runtime(directory=build)
    assert choice.name == "native" and choice.site_dir == build / "site"


def _measured(build: Path, native: float, prebuilt: float) -> None:
    """Record a measurement as `tandem runtime build` does (these prompt tok/s, equal
    generation), decided by agent.llm.runtime_speed's rule."""
    speed = summarise({"native": [{"prompt_tok_s": native, "gen_tok_s": 18.0}],
                       "prebuilt": [{"prompt_tok_s": prebuilt, "gen_tok_s": 18.0}]})
    info = json.loads((build / READY_FILE).read_text())
    (build / READY_FILE).write_text(json.dumps(info | {"speed": speed}))


@pytest.mark.parametrize(("native", "prebuilt", "loaded"), [
    (43.0, 53.0, "prebuilt"),  # as on the AVX2-only AMD EPYC of 2026-12-07
    (83.5, 62.7, "native"),  # as on the Intel machine with AVX-512 (1.5-2x)
    (50.0, 49.0, "prebuilt"),  # 2% faster: noise between two runs, not worth leaving the wheel
])
def test_auto_loads_the_build_measured_faster_and_says_by_how_much(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, native: float, prebuilt: float,
        loaded: str) -> None:
    monkeypatch.delenv(RUNTIME_ENV, raising=False)
    build = _fake_native_build(tmp_path / "build")
    _measured(build, native=native, prebuilt=prebuilt)
    choice = choose_runtime(directory=build)
    assert choice.name == loaded
    assert f"native {native} / prebuilt {prebuilt} prompt tok/s" in choice.reason
    forced = choose_runtime("native", directory=build)  # asked for by name
    assert forced.name == "native"
    assert ("measured faster" in forced.reason) == (loaded == "native")


def test_a_build_that_never_passed_its_check_is_not_used(tmp_path: Path) -> None:
    build = _fake_native_build(tmp_path / "build", ready=False)
    assert choose_runtime("auto", directory=build).name == "prebuilt"
    with pytest.raises(RuntimeError, match="no native build"):
        choose_runtime("native", directory=build)


def test_the_setting_can_force_the_prebuilt_wheel_and_rejects_unknown_values(
        tmp_path: Path) -> None:
    build = _fake_native_build(tmp_path / "build")
    assert choose_runtime("prebuilt", directory=build).name == "prebuilt"
    with pytest.raises(ValueError, match="auto, native or prebuilt"):
        choose_runtime("fastest", directory=build)


def test_the_cache_is_keyed_by_the_cpus_instruction_set(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    avx2, avx512 = ["avx", "avx2", "fma"], ["avx", "avx2", "avx512f", "fma"]
    assert cpu_key(avx2) != cpu_key(avx512)
    assert cpu_key(avx2) == cpu_key(list(avx2))
    monkeypatch.setenv("TANDEM_RUNTIME_CACHE", str(tmp_path))
    assert native_dir().parent == tmp_path
    assert cpu_key() in native_dir().name


_IMPORT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from agent.llm.runtimes import choose_runtime, import_xllamacpp
    module, choice = import_xllamacpp(choose_runtime("auto", directory=Path(sys.argv[1])))
    print(json.dumps({"name": choice.name, "reason": choice.reason,
                      "mark": getattr(module, "MARK", "prebuilt")}))
""")


def _import_in_subprocess(build: Path) -> dict[str, str]:
    # A process of its own: this one may have imported the real xllamacpp already.
    env = {k: v for k, v in os.environ.items() if k != RUNTIME_ENV}
    out = subprocess.run([sys.executable, "-c", _IMPORT, str(build)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_the_native_build_is_what_gets_imported(tmp_path: Path) -> None:
    build = _fake_native_build(tmp_path / "build")
    assert _import_in_subprocess(build) == {
        "name": "native", "reason": "built 2026-12-06 19:00 UTC for this CPU", "mark": "native"}


def test_a_native_build_that_fails_to_load_falls_back_to_the_prebuilt_wheel(
        tmp_path: Path) -> None:
    pytest.importorskip("xllamacpp")
    build = _fake_native_build(tmp_path / "build",
                               init="raise ImportError('illegal instruction, say')\n")
    result = _import_in_subprocess(build)
    assert result["name"] == "prebuilt" and result["mark"] == "prebuilt"
    assert "failed to load" in result["reason"]


def test_no_background_build_in_ci_when_switched_off_or_when_the_wheel_is_asked_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_RUNTIME_CACHE", str(tmp_path))
    started: list[object] = []
    monkeypatch.setattr(runtime_build.subprocess, "Popen",
                        lambda *a, **k: started.append(a))
    for env in ({"CI": "true"}, {runtime_build.AUTOBUILD_ENV: "0"}, {RUNTIME_ENV: "prebuilt"}):
        for name in ("CI", runtime_build.AUTOBUILD_ENV, RUNTIME_ENV):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert not runtime_build.start_background_build(None, log=print)
    assert started == []


def test_a_background_build_starts_once_at_low_priority_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_RUNTIME_CACHE", str(tmp_path))
    for name in ("CI", runtime_build.AUTOBUILD_ENV, RUNTIME_ENV):
        monkeypatch.delenv(name, raising=False)
    started: list[list[str]] = []
    monkeypatch.setattr(runtime_build.subprocess, "Popen",
                        lambda cmd, **k: started.append(cmd))
    said: list[str] = []
    assert runtime_build.start_background_build(Path("m.gguf"), log=said.append)
    assert started and started[0][-4:] == ["--nice", "19", "--model", "m.gguf"]
    assert "background" in said[0] and "next start" in said[0]
    # A checked build exists: nothing more to build.
    _fake_native_build(native_dir())
    assert not runtime_build.start_background_build(Path("m.gguf"), log=said.append)
    assert len(started) == 1
