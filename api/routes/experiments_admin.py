"""The admin API for experiments: start, list, read, stop, report.  Admin agents only
(a bearer token from `POST /v1/agent/login`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import BaseModel

from api.deps import CurrentAgent, RuntimeDep, SessionDep
from api.experiments import service
from api.experiments.definition import NAME, ExperimentError, parse_definition
from api.experiments.report import build_report
from api.models import Experiment, SupportAgent

router = APIRouter(prefix="/v1/admin/experiments", tags=["experiments (admin)"])
ExperimentName = Annotated[str, Path(pattern=NAME)]


def _admin(agent: CurrentAgent) -> SupportAgent:
    if not agent.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin can manage experiments")
    return agent


Admin = Annotated[SupportAgent, Depends(_admin)]


class ExperimentOut(BaseModel):
    name: str
    status: str
    source: str
    started_at: datetime
    stopped_at: datetime | None
    definition: dict[str, Any]


def _out(experiment: Experiment) -> ExperimentOut:
    return ExperimentOut.model_validate(experiment, from_attributes=True)


def _found(session: SessionDep, name: str) -> Experiment:
    try:
        return service.get(session, name)
    except service.ExperimentNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.get("", response_model=list[ExperimentOut], summary="All experiments, newest first")
def list_experiments(admin: Admin, session: SessionDep) -> list[ExperimentOut]:
    return [_out(e) for e in service.all_experiments(session)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ExperimentOut,
             summary="Start an experiment",
             description="The same definition as an experiment file (README, \"Experiments\"). "
                         "It starts at once; a running experiment cannot be edited, only "
                         "stopped (409 for a name already used).")
def start_experiment(body: dict[str, Any], admin: Admin, session: SessionDep) -> ExperimentOut:
    try:
        definition = parse_definition(body)
    except ExperimentError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    try:
        return _out(service.start(session, definition, source="api"))
    except service.ExperimentConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


@router.get("/{name}", response_model=ExperimentOut, summary="One experiment")
def read_experiment(name: ExperimentName, admin: Admin, session: SessionDep) -> ExperimentOut:
    return _out(_found(session, name))


@router.post("/{name}/stop", response_model=ExperimentOut, summary="Stop an experiment",
             description="No more visitors are assigned; the report keeps counting the "
                         "outcomes of those already exposed up to the stop.")
def stop_experiment(name: ExperimentName, admin: Admin, session: SessionDep) -> ExperimentOut:
    _found(session, name)
    try:
        return _out(service.stop(session, name))
    except service.ExperimentConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


@router.get("/{name}/report", summary="The experiment's report",
            description="`srm_p`, then per metric the control's and each variant's estimate, "
                        "`lift` (relative) with `ci95`, `p_value`, `verdict` and "
                        "`still_needed` (README, \"Experiments\").")
def experiment_report(name: ExperimentName, admin: Admin, session: SessionDep,
                      runtime: RuntimeDep) -> dict[str, Any]:
    return build_report(session, _found(session, name),
                        cycle_days=runtime.settings.experiment_purchase_cycle_days)

