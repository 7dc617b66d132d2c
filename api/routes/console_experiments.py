"""Console pages for experiments (the report with its charts) and for operations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from api.deps import RuntimeDep, SessionDep
from api.experiments import service
from api.experiments.definition import NAME
from api.experiments.report import build_report
from api.models import RetrainRun
from api.observability.operations import daily
from api.routes._console import ConsoleAgent, render
from api.services.charts import bar_chart, line_chart
from domain.tables import utcnow

router = APIRouter(prefix="/console", tags=["console"])


@router.get("/experiments", response_class=HTMLResponse, summary="Experiments",
            description="Every experiment, newest first, with its status and primary metric.")
def experiments_page(request: Request, agent: ConsoleAgent, session: SessionDep) -> Response:
    rows = [(e, service.definition_of(e)) for e in service.all_experiments(session)]
    return render(request, "experiments.html", {"agent": agent, "rows": rows})


def _charts(report: dict[str, Any]) -> dict[str, Any]:
    charts = report["charts"]
    days, primary = charts["days"], charts["primary"]
    estimate, lift = primary["estimate"], primary["lift"]
    return {
        "exposures": bar_chart("Visitors exposed per day", days, charts["exposures"]),
        "primary": line_chart(
            f"{report['primary']} per variant, cumulative, with 95% intervals", days,
            {v: s["value"] for v, s in estimate.items()},
            bands={v: (s["lo"], s["hi"]) for v, s in estimate.items()}),
        "lift": line_chart(f"Lift of {report['primary']} against {report['control']}, "
                           "with 95% intervals", days,
                           {v: s["value"] for v, s in lift.items()},
                           bands={v: (s["lo"], s["hi"]) for v, s in lift.items()},
                           percent=True, zero_line=True),
    }


@router.get("/experiments/{name}", response_class=HTMLResponse, summary="One experiment",
            description="The report (sample-ratio check first, then every metric with its "
                        "lift, interval, p-value, verdict and sample still needed) and its "
                        "charts: daily exposures, the primary metric and its lift over time.")
def experiment_page(name: Annotated[str, Path(pattern=NAME)], request: Request,
                    agent: ConsoleAgent, session: SessionDep, runtime: RuntimeDep) -> Response:
    try:
        experiment = service.get(session, name)
    except service.ExperimentNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    report = build_report(session, experiment,
                          cycle_days=runtime.settings.experiment_purchase_cycle_days)
    treatments = [v for v in report["variants"] if v != report["control"]]
    return render(request, "experiment.html", {"agent": agent, "report": report,
                                               "treatments": treatments,
                                               "charts": _charts(report)})


@router.get("/operations", response_class=HTMLResponse, summary="Operations",
            description="The last four weeks per day: turns, handoff, fallback, busy and "
                        "withdrawal rates, turn time p50/p95, tokens per turn, handoffs by "
                        "rule; the generation queue now; the last `tandem retrain`.")
def operations_page(request: Request, agent: ConsoleAgent, session: SessionDep,
                    runtime: RuntimeDep) -> Response:
    ops = daily(session, now=utcnow())
    gate = runtime.models.gate
    charts = {
        "turns": bar_chart("Turns per day", ops.days, {"turns": ops.turns}),
        "rates": line_chart("Share of turns per day", ops.days,
                            {"handed to a person": ops.rates["handoff"],
                             "fallback": ops.rates["fallback"], "busy": ops.rates["busy"],
                             "withdrawn (of model replies)": ops.rates["withdrawn"]}),
        "seconds": line_chart("Turn time (graph), seconds", ops.days,
                              {"p50": ops.seconds_p50, "p95": ops.seconds_p95}),
        "tokens": line_chart("Model tokens per turn (mean)", ops.days, ops.tokens),
    }
    last_retrain = session.exec(select(RetrainRun).order_by(
        col(RetrainRun.created_at).desc())).first()
    return render(request, "operations.html", {
        "agent": agent, "charts": charts, "rules": ops.handoff_rules.most_common(),
        "retrain": last_retrain,
        "queue": gate.metrics.snapshot() if gate else None,
        "replies": runtime.reply_checks.snapshot()})
