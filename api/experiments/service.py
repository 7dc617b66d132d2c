"""Start, stop and list experiments.  A running experiment cannot be edited, only stopped:
changing shares or metrics mid-way would mix two experiments in one report."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.experiments.definition import ExperimentDefinition, ExperimentError, parse_definition
from api.models import Experiment
from domain.db import session_scope
from domain.tables import utcnow


class ExperimentConflict(RuntimeError):
    """The name is taken, or the experiment is not in a state that allows this."""


class ExperimentNotFound(LookupError):
    pass


def start(session: Session, definition: ExperimentDefinition, *, source: str = "api"
          ) -> Experiment:
    if session.exec(select(Experiment).where(Experiment.name == definition.name)).first():
        raise ExperimentConflict(
            f"an experiment named {definition.name!r} already exists; a running experiment "
            "cannot be edited (stop it, then start a new one under another name)")
    experiment = Experiment(name=definition.name, source=source[:500],
                            definition=definition.model_dump(mode="json"))
    session.add(experiment)
    session.flush()
    return experiment


def get(session: Session, name: str) -> Experiment:
    experiment = session.exec(select(Experiment).where(Experiment.name == name)).first()
    if experiment is None:
        raise ExperimentNotFound(f"no experiment named {name!r}")
    return experiment


def stop(session: Session, name: str) -> Experiment:
    experiment = get(session, name)
    if experiment.status != "running":
        raise ExperimentConflict(f"experiment {name!r} was already stopped "
                                 f"{experiment.stopped_at:%Y-%m-%d %H:%M} UTC")
    experiment.status, experiment.stopped_at = "stopped", utcnow()
    session.add(experiment)
    session.flush()
    return experiment


def all_experiments(session: Session) -> list[Experiment]:
    return list(session.exec(select(Experiment).order_by(col(Experiment.started_at).desc())))


def definition_of(experiment: Experiment) -> ExperimentDefinition:
    return parse_definition(experiment.definition)


def check_running_experiments(engine: Engine) -> None:
    """Every running experiment's stored definition still valid (its folders and policy
    files load): run at start-up, so a missing prompts folder stops the app with the
    experiment, field and reason instead of failing turns."""
    with session_scope(engine) as session:
        validate_running(session)


def validate_running(session: Session) -> None:
    for experiment in session.exec(select(Experiment).where(Experiment.status == "running")):
        try:
            parse_definition(experiment.definition)
        except ExperimentError as exc:
            raise ExperimentError(f"running experiment {experiment.name!r}: {exc}") from exc
