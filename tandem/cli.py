"""The `tandem` command: every sub-command is imported and registered here, in one place.

Command modules (tandem/commands/) define plain functions and import nothing of this file,
so the command tree reads top to bottom below and there is no import circle.
"""

from __future__ import annotations

import os
import sys

import typer
from pydantic import ValidationError

from tandem.commands import (
    bench,
    customer_token,
    eval_route,
    eval_sizing,
    eval_suite,
    experiments,
    import_store,
    init,
    monitor,
    purge,
    retrain,
    runtime,
    serve,
    store_data,
)

app = typer.Typer(help="Tandem: the customer-journey agent for online retailers.",
                  no_args_is_help=True, add_completion=False)
eval_app = typer.Typer(help="Measure Tandem: routing, sizing and conversation eval suites.",
                       no_args_is_help=True)

app.command("serve")(serve.serve)
app.command("chat")(serve.chat)
app.command("demo-data")(store_data.demo_data)
app.command("create-agent")(store_data.create_agent)
app.command("import")(import_store.import_command)
app.command("init")(init.init)
app.command("customer-token")(customer_token.customer_token)
app.command("purge")(purge.purge)
app.command("bench")(bench.bench)
app.command("monitor")(monitor.monitor)
app.command("retrain")(retrain.retrain)

runtime_app = typer.Typer(help="The embedded model's llama.cpp build: status, build for this "
                               "CPU, measure it against the prebuilt wheel; and the e5 "
                               "embedding engine's build (build-e5).", no_args_is_help=True)
app.add_typer(runtime_app, name="runtime")
runtime_app.command("status")(runtime.status)
runtime_app.command("build")(runtime.build)
runtime_app.command("measure")(runtime.measure)
runtime_app.command("build-e5")(runtime.build_e5)

experiments_app = typer.Typer(help="Experiments against a control: start, stop, list, report.",
                               no_args_is_help=True)
app.add_typer(experiments_app, name="experiments")
experiments_app.command("start")(experiments.start)
experiments_app.command("stop")(experiments.stop)
experiments_app.command("list")(experiments.list_experiments)
experiments_app.command("report")(experiments.report)

@eval_app.callback()
def _evals_need_no_secrets() -> None:
    """Measure Tandem: routing, sizing and conversation eval suites."""
    # Evals run on a fresh SQLite store of their own and serve nothing: a prompt engineer
    # needs no production secrets for them (an explicit TANDEM_ENVIRONMENT still wins).
    os.environ.setdefault("TANDEM_ENVIRONMENT", "development")


app.add_typer(eval_app, name="eval")
eval_app.command("route")(eval_route.eval_route)
eval_app.command("sizing")(eval_sizing.eval_sizing)
eval_app.command("run")(eval_suite.run)
eval_app.command("score")(eval_suite.score)
eval_app.command("compare")(eval_suite.compare_runs)
eval_app.command("gate")(eval_suite.gate)


def main() -> None:
    """The `tandem` console script: settings that refuse to load (a default secret outside
    development, an unknown time zone...) end in their reason, not a traceback."""
    try:
        app()
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        typer.echo(f"tandem: the settings are not usable: {reasons}", err=True)
        sys.exit(2)
