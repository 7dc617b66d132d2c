"""Run mode: drive every case through the app's own turn service and record transcripts.

Each case runs as a real conversation (`api.services.turns.run_turn` on a `TandemRuntime`)
against a SQLite store built once per run; a case that changes stock gets a private copy.
Right after each turn the recorder reads what a scorer needs later: the stored evidence of
each suggestion, the stock of each suggested variant at that moment, the handoff and its
summary, and the store's view of every order mentioned.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlmodel import Session, col, select

from agent.commerce.options import vocabulary
from agent.commerce.orders import STATUS_WORDS
from api.db import session_scope
from api.models import Handoff, Message
from api.runtime import TandemRuntime, open_runtime
from api.services.conversations import create_conversation, set_personalization
from api.services.turns import timed_turn
from api.settings import Settings
from domain.tables import Order, Variant
from evals.cache import CachedChatModel, metering
from evals.fixtures import apply_setup, build_store, copy_store
from evals.scorers.base import order_ids
from evals.suite import Case, Suite
from evals.transcript import (
    HandoffRecord,
    OrderRecord,
    Setup,
    SuggestionRecord,
    Transcript,
    TurnRecord,
    proof_hash,
)

log = logging.getLogger(__name__)
OnTranscript = Callable[[Transcript], None]


@dataclass(frozen=True)
class RunOptions:
    provider: str = "scripted"
    repeat: int = 1
    prompts_dir: Path | None = None
    cache_dir: Path | None = None
    model: BaseChatModel | None = None
    """A ready chat model (tests); otherwise one is made from the settings."""


def prompts_fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.j2")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _settings_for(base: Settings, url: str, options: RunOptions) -> Settings:
    update: dict[str, Any] = {"database_url": url, "llm_provider": options.provider}
    if options.prompts_dir is not None:
        update["prompts_dir"] = options.prompts_dir.resolve()
    return base.model_copy(update=update)


def _model_for(settings: Settings, options: RunOptions) -> BaseChatModel:
    from agent.llm.factory import make_chat_model

    inner = options.model or make_chat_model(settings.llm_config())
    return CachedChatModel(inner=inner, provider=settings.llm_provider,
                           model_name=settings.llm_model, cache_dir=options.cache_dir)


def _suggestions(rt: TandemRuntime, message_id: int) -> list[SuggestionRecord]:
    with Session(rt.engine) as session:
        reply = session.exec(select(Message).where(Message.reply_to == message_id)).first()
        raw = list(reply.suggestions) if reply is not None else []
        exists = {s["variant_id"]: session.get(Variant, s["variant_id"]) is not None
                  for s in raw}
    stock = rt.inventory.stock_for(list(exists)) if exists else {}
    return [SuggestionRecord.model_validate(
        s | {"exists": exists[s["variant_id"]],
             "stock_at_answer": sum(a.quantity for a in stock.get(s["variant_id"], []))})
        for s in raw]


def _orders(rt: TandemRuntime, texts: list[str]) -> dict[str, OrderRecord]:
    wanted = set().union(*(order_ids(t) for t in texts))
    found: dict[str, OrderRecord] = {}
    with Session(rt.engine) as session:
        for order_id in sorted(wanted):
            order = session.get(Order, order_id)
            if order is None:
                continue
            found[order_id] = OrderRecord(
                status=order.status,
                status_words=STATUS_WORDS.get(order.status, order.status.replace("_", " ")),
                carrier=order.carrier, tracking_number=order.tracking_number,
                email_sha256=proof_hash(order.email) if order.email else None,
                postcode_sha256=proof_hash(order.postcode) if order.postcode else None,
                customer_id=order.customer_id)
    return found


async def _turn(rt: TandemRuntime, conversation_id: str, text: str,
                repeat: int, personalization: bool) -> TurnRecord:
    before = rt.reply_checks.snapshot()  # cases run one at a time: the change is this turn's
    with metering(repeat) as meter:
        done, first, seconds = await timed_turn(rt, conversation_id=conversation_id, text=text)
    return TurnRecord(
        shopper=text, reply=done["reply"]["text"], intent=done.get("intent"),
        route=done.get("route"), handoff=done.get("route") == "human",
        personalization=personalization, suggestions=_suggestions(rt, done["message_id"]),
        seconds=round(seconds, 4), first_token_s=round(first, 4) if first else None,
        llm_calls=meter.calls, cached_calls=meter.cached_calls,
        input_tokens=meter.input_tokens, output_tokens=meter.output_tokens,
        # A template reply is never checked: only a reply the model phrased moves a count.
        reply_checked=_checked(rt.reply_checks.snapshot()) > _checked(before),
        reply_replaced=rt.reply_checks.snapshot()["replaced"] > before["replaced"],
        sold_out=await _sold_out(rt, conversation_id))


async def _sold_out(rt: TandemRuntime, conversation_id: str) -> list[str]:
    """The sold-out products of the turn's facts, from the graph's checkpoint."""
    state = await rt.graph.aget_state(  # type: ignore[arg-type]
        {"configurable": {"thread_id": conversation_id}})
    facts = state.values.get("facts") or {}
    return [str(name) for name in facts.get("sold_out") or []]


def _checked(counts: dict[str, Any]) -> int:
    return int(counts["kept"] + counts["replaced"])


async def run_case(rt: TandemRuntime, suite: Suite, case: Case, repeat: int,
                   meta: dict[str, Any]) -> Transcript:
    expect = case.expect.model_copy(update={
        "max_turn_seconds": case.expect.max_turn_seconds or suite.budgets.max_turn_seconds,
        "max_tokens_per_turn": case.expect.max_tokens_per_turn
        or suite.budgets.max_tokens_per_turn})
    transcript = Transcript(suite=suite.name, case_id=case.id, repeat=repeat, tags=case.tags,
                            known_failure=case.known_failure, turns=[], expect=expect,
                            setup=Setup(personalization=case.setup.personalization), **meta)
    try:
        with session_scope(rt.engine) as session:
            customer_id = apply_setup(session, case.setup)
            conversation, _ = create_conversation(
                session=session, personalization=case.setup.personalization, source="eval")
            conversation.customer_id = customer_id
            session.add(conversation)
            conversation_id = conversation.id
        transcript.setup.customer_id = customer_id
        personalization = case.setup.personalization
        for turn in case.turns:
            if turn.personalization is not None and turn.personalization != personalization:
                personalization = turn.personalization
                with session_scope(rt.engine) as session:
                    row = session.get(type(conversation), conversation_id)
                    assert row is not None
                    set_personalization(session=session, conversation=row,
                                        enabled=personalization, source="eval")
            record = await _turn(rt, conversation_id, turn.say, repeat, personalization)
            record.expect = turn.expect
            transcript.turns.append(record)
        for task in list(rt.background):  # the AI summary of a handoff is drafted late
            await task
        with Session(rt.engine) as session:
            handoff = session.exec(select(Handoff).where(
                Handoff.conversation_id == conversation_id)
                .order_by(col(Handoff.created_at))).first()
            if handoff is not None:
                transcript.handoff = HandoffRecord(rule=handoff.rule, priority=handoff.priority,
                                                   reasons=handoff.reasons,
                                                   summary=handoff.summary)
        transcript.orders = _orders(rt, [t for r in transcript.turns
                                         for t in (r.shopper, r.reply)])
    except Exception as exc:  # a crash in one case is recorded as its failure, not the run's
        log.exception("eval case %s (repeat %d) failed to run", case.id, repeat)
        transcript.error = f"{exc.__class__.__name__}: {exc}"
    return transcript


async def run_suite(suite: Suite, base: Settings, options: RunOptions,
                    on_transcript: OnTranscript | None = None) -> list[Transcript]:
    """Every case of the suite, `options.repeat` times; raises `SuiteSkipped` early."""
    transcripts: list[Transcript] = []
    with tempfile.TemporaryDirectory(prefix=f"tandem-eval-{suite.name}-") as tmp:
        pristine = Path(tmp) / "store.db"
        build_store(suite.store, pristine, data_dir=base.data_dir)
        shared_url = copy_store(pristine, Path(tmp) / "shared.db")
        settings = _settings_for(base, shared_url, options)
        model = _model_for(settings, options)
        meta = {"provider": settings.llm_provider, "model": settings.llm_model
                if settings.llm_provider != "scripted" else "scripted",
                "prompts": prompts_fingerprint(settings.prompts_dir)}
        async with open_runtime(settings, model=model) as shared:
            with Session(shared.engine) as session:
                words = vocabulary(session)
            meta["store_options"] = {name: sorted(words.values_of(name))
                                     for name in sorted(words.names)}
            for n, case in enumerate(suite.cases):
                for repeat in range(options.repeat):
                    if case.setup.stock:
                        # Changed shelves must not leak into other cases: a private copy.
                        url = copy_store(pristine, Path(tmp) / f"case-{n}-{repeat}.db")
                        async with open_runtime(_settings_for(base, url, options),
                                                model=model) as private:
                            transcript = await run_case(private, suite, case, repeat, meta)
                        private.engine.dispose()
                    else:
                        transcript = await run_case(shared, suite, case, repeat, meta)
                    transcripts.append(transcript)
                    if on_transcript is not None:
                        on_transcript(transcript)
        shared.engine.dispose()
    return transcripts
