"""`tandem bench`: Tandem against the ReAct baseline on the same model and store (bench/)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer


def bench(
    provider: Annotated[str, typer.Option(
        help="embedded: the real measurement; scripted: stand-in models, a quick smoke test"),
    ] = "embedded",
    model: Annotated[str | None, typer.Option(
        help="1.5b, 0.5b or a packaged model name (default: TANDEM_LLM_MODEL)")] = None,
    threads: Annotated[int | None, typer.Option(
        help="CPU threads (default: TANDEM_LLM_THREADS)")] = None,
    rounds: Annotated[int, typer.Option(min=1, help="Times to run every conversation")] = 1,
    out: Annotated[Path | None, typer.Option(
        help="JSON file (default: bench/results/bench_<provider>_<model>.json)")] = None,
) -> None:
    """Time to first token, LLM calls and tokens per turn, grounded answers and memory:
    Tandem against LangGraph's prebuilt ReAct agent, same model, same store, one run."""
    if provider not in ("embedded", "scripted"):
        typer.echo("error: --provider is embedded or scripted", err=True)
        raise typer.Exit(code=2)
    from bench.report import render
    from bench.suite import BenchOptions, run_bench, write_result

    try:
        result = asyncio.run(run_bench(BenchOptions(
            provider=provider, model=model, threads=threads, rounds=rounds)))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(render(result))
    typer.echo(f"wrote {write_result(result, out)}")
