"""Deterministic, sticky assignment: a visitor's variant is a hash of the experiment's name
and the visitor id, so every server, worker and restart gives the same answer without
storing anything first.  The first time a visitor is assigned, the exposure is recorded
(once: a unique key on experiment, visitor and variant).

A conversation started with a visitor id carries that visitor's variants, so each turn
knows them; in a variant without the assistant (the control) every message goes straight
to a person (`hold_for_person`), however the conversation was started.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.experiments.definition import ExperimentDefinition, parse_definition
from api.models import ConversationVisitor, Experiment, Exposure, Handoff, Message
from api.observability.prom import HANDOFFS
from domain.tables import utcnow

CONTROL_RULE = "experiment_control"
"""The handoff rule of a conversation in a no-assistant variant."""


@dataclass(frozen=True)
class Running:
    """A running experiment with its definition parsed."""

    id: int
    name: str
    definition: ExperimentDefinition


def bucket(experiment: str, visitor_id: str) -> float:
    """A number in [0, 1) fixed by the experiment's name and the visitor: 64 bits of
    SHA-256, uniform enough that shares of 0.5 land within sampling error of 50%."""
    digest = hashlib.sha256(f"{experiment}\x1f{visitor_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def variant_for(definition: ExperimentDefinition, visitor_id: str) -> str:
    """The visitor's variant: shares laid end to end in the file's order."""
    point, edge = bucket(definition.name, visitor_id), 0.0
    names = list(definition.variants)
    for name in names:
        edge += definition.variants[name].share
        if point < edge:
            return name
    return names[-1]  # shares add up to 1 within rounding


def running(session: Session) -> list[Running]:
    rows = session.exec(select(Experiment).where(Experiment.status == "running")
                        .order_by(col(Experiment.id))).all()
    return [Running(id=r.id or 0, name=r.name, definition=parse_definition(r.definition))
            for r in rows]


def record_exposures(session: Session, visitor_id: str,
                     assigned: list[tuple[Running, str]]) -> int:
    """Record each (experiment, variant) for this visitor unless already recorded; returns
    how many were new.  Concurrent first requests are safe: the unique key decides."""
    if not assigned:
        return 0
    seen = set(session.exec(select(Exposure.experiment_id, Exposure.variant).where(
        Exposure.visitor_id == visitor_id,
        col(Exposure.experiment_id).in_([r.id for r, _ in assigned]))).all())
    new = 0
    for experiment, variant in assigned:
        if (experiment.id, variant) in seen:
            continue
        try:
            with session.begin_nested():
                session.add(Exposure(experiment_id=experiment.id, visitor_id=visitor_id,
                                     variant=variant))
            new += 1
        except IntegrityError:
            pass  # another request recorded it first
    return new


def assign(session: Session, visitor_id: str) -> list[tuple[Running, str]]:
    """Every running experiment with the visitor's variant in it; exposures recorded."""
    assigned = [(r, variant_for(r.definition, visitor_id)) for r in running(session)]
    record_exposures(session, visitor_id, assigned)
    return assigned


def tag_conversation(session: Session, *, conversation_id: str, visitor_id: str) -> dict[str, str]:
    """Link a new conversation to its visitor and carry the visitor's variants on it."""
    variants = {r.name: variant for r, variant in assign(session, visitor_id)}
    session.add(ConversationVisitor(conversation_id=conversation_id, visitor_id=visitor_id,
                                    variants=variants))
    session.flush()
    return variants


def conversation_variants(session: Session, conversation_id: str) -> list[tuple[Running, str]]:
    """The running experiments this conversation takes part in, with its variant in each."""
    link = session.get(ConversationVisitor, conversation_id)
    if link is None or not link.variants:
        return []
    return [(r, link.variants[r.name]) for r in running(session)
            if r.name in link.variants and link.variants[r.name] in r.definition.variants]


def without_assistant(session: Session, conversation_id: str) -> Running | None:
    """The running experiment that puts this conversation in a no-assistant variant, if any."""
    return next((r for r, variant in conversation_variants(session, conversation_id)
                 if not r.definition.shows_assistant(variant)), None)


@dataclass(frozen=True)
class Held:
    """What `hold_for_person` added, for the caller to announce (live events, assignment)."""

    handoff: Handoff
    notice: Message


def hold_for_person(session: Session, conversation_id: str) -> Held | None:
    """In a no-assistant variant, hand the conversation to a person before the assistant
    could answer: an open handoff (rule `experiment_control`) with the shopper's words as its
    summary, a notice for the shopper, and human mode, so the message waits for the team.
    None when the conversation has the assistant, or a person already owns it."""
    from api.models import Conversation

    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.mode == "human":
        return None
    experiment = without_assistant(session, conversation_id)
    if experiment is None:
        return None
    conversation.mode, conversation.updated_at = "human", utcnow()
    asked = session.exec(select(Message.text).where(
        Message.conversation_id == conversation_id, Message.role == "shopper")
        .order_by(col(Message.id).desc())).first()
    handoff = Handoff(
        id=str(uuid.uuid4()), conversation_id=conversation_id, priority=3, rule=CONTROL_RULE,
        summary={"wants": asked or ""},
        reasons=[f"{CONTROL_RULE}: the shopper is in the no-assistant group of experiment "
                 f"{experiment.name!r} and writes to the team directly"])
    notice = Message(conversation_id=conversation_id, role="system",
                     text="Your message is with our team; a person will reply here.")
    session.add_all([conversation, handoff, notice])
    session.flush()
    HANDOFFS.labels(CONTROL_RULE).inc()
    return Held(handoff=handoff, notice=notice)
