"""One shopper turn: persist the message, run the graph, persist the reply (and handoff).

The flow reads straight through: route -> this service -> graph -> this service -> route.
Resending a `client_message_id` returns the first answer instead of a second turn.  While a
person owns the conversation the graph is not run at all: the assistant stays silent.

Nothing accepted is left unanswered.  The message is stored with its turn `pending`
(api/services/turn_records.py) under the conversation's turn lock, which holds across
processes (api/live/turn_lock.py); a double text waits for the turn before it, so
turns of one conversation are answered in order, once each.  A pending turn found by the
next holder of the lock was stranded (a crash, a database error finishing it, a shutdown)
and is answered again: from its checkpoint when the graph had finished or started it, by
re-running the graph otherwise.  `sweep_stranded` finds those nobody resends.  Every turn
runs in a task of its own (`start_turn`), so a dropped connection does not cancel it and a
shutdown waits for it; its events always end with `done` or `error`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.messages import HumanMessage
from sqlalchemy.exc import SQLAlchemyError

from agent.context import TandemContext
from agent.privacy.redact import remove_card_numbers
from api.experiments.variants import variant_context
from api.live.turn_lock import ConversationBusy
from api.runtime import TandemRuntime
from api.services.erasure import undo_late_writes
from api.services.summaries import draft_ai_summary
from api.services.turn_records import (
    ConversationGone,
    TurnInProgress,
    TurnStart,
    begin_stranded,
    begin_turn,
    finish_turn,
    mark_failed,
    stranded_turns,
)

__all__ = ["ConversationGone", "TurnEvent", "TurnInProgress", "run_turn", "start_turn",
           "sweep_stranded", "timed_turn"]

log = logging.getLogger(__name__)
MODEL_WAIT_S = 60.0
LOCK_WAIT_S = 120.0
"""How long a double text waits for the turn before it (longer than any one turn)."""
SAVE_FAILED = "your message is saved, but its reply could not be; it will be answered shortly"


@dataclass(frozen=True)
class TurnEvent:
    kind: Literal["token", "reset", "done", "error"]
    data: dict[str, Any]


async def run_turn(rt: TandemRuntime, *, conversation_id: str, text: str,
                   client_message_id: str | None, client_key: str | None = None
                   ) -> AsyncIterator[TurnEvent]:
    """The turn's events: tokens (and resets), then `done`, or `error` if its reply could not
    be stored.  Raises `TurnInProgress`, `ConversationGone` or a database error before any
    event when the turn could not start.  `client_key`: who is asking, opaque
    (api.deps.request_client), for the order-proof failure counters.  A card number in
    `text` is removed before anything stores it."""
    text = remove_card_numbers(text)
    try:
        async with rt.locks.hold(conversation_id, wait_s=LOCK_WAIT_S):
            # Database work runs in a worker thread, never on the event loop: on SQLite a
            # write that waits for the lock on the loop would also stop the checkpointer
            # (whose connection commits through the loop) from releasing it, and every turn
            # would stall for the whole busy timeout.  Never yield inside a transaction
            # either: a client that stops listening would roll it back.
            begun = await asyncio.to_thread(begin_turn, rt.engine, rt.settings,
                                            conversation_id=conversation_id, text=text,
                                            client_message_id=client_message_id)
            if begun.answered is not None:
                yield TurnEvent("done", begun.answered.model_dump())
                return
            async for event in _answer(rt, conversation_id, begun, client_key):
                yield event
    except ConversationBusy as exc:
        raise TurnInProgress("this conversation is still being answered; try again shortly") \
            from exc


async def _final_from_checkpoint(rt: TandemRuntime, config: dict[str, Any], shopper_id: int
                                 ) -> tuple[dict[str, Any] | None, bool]:
    """For a turn taken up again: (the graph's finished state, whether to resume it).

    (state, False): the graph had answered and checkpointed; only storing the reply failed.
    (None, True): the graph stopped part-way through this message; resume from there.
    (None, False): it never got this message; run it afresh."""
    state = await rt.graph.aget_state(config)  # type: ignore[arg-type]
    humans = [m for m in state.values.get("messages", []) if isinstance(m, HumanMessage)]
    if not humans or humans[-1].id != f"shopper-{shopper_id}":
        return None, False
    if state.next:
        return None, True
    return dict(state.values), False


async def _answer(rt: TandemRuntime, conversation_id: str, begun: TurnStart,
                  client_key: str | None = None) -> AsyncIterator[TurnEvent]:
    started = time.perf_counter()
    context: TandemContext | None = None
    shopper_id = begun.shopper_id
    config: dict[str, Any] = {"configurable": {"thread_id": conversation_id}}
    final: dict[str, Any] | None = None
    resume = False
    if begun.attempt > 1:
        final, resume = await _final_from_checkpoint(rt, config, shopper_id)
        log.info("answering stranded message %s again (attempt %d, %s)", shopper_id,
                 begun.attempt, "from its checkpoint" if final or resume else "afresh")
    if final is None:
        final = {}
        context = TandemContext(
            engine=rt.engine, inventory=rt.inventory,
            model=await rt.models.get(MODEL_WAIT_S), policy=rt.policy, prompts=rt.prompts,
            store_policy=rt.store_policy,
            region=rt.settings.shopper_region, max_suggestions=rt.settings.max_suggestions,
            llm_timeout_s=rt.settings.llm_timeout_s, customer_id=begun.customer_id,
            client_key=client_key,
            personalization=begun.personalization, staffing=begun.staffing,
            reply_checks=rt.reply_checks,
        )
        context = await variant_context(rt, conversation_id, context)  # an experiment's variant
        # The message id makes a retried turn replace, not duplicate, the checkpointed message.
        turn_input = None if resume else {
            "messages": [HumanMessage(content=begun.text, id=f"shopper-{shopper_id}")]}
        try:
            # Checkpointed once, when the run ends: a turn's few steps each wrote a checkpoint
            # before (eight commits a turn, most of the SQLite write lock's time).  A worker
            # that dies mid-run leaves the turn pending, and it is simply run again.
            async for mode, chunk in rt.graph.astream(turn_input, config,  # type: ignore[arg-type]
                                                      context=context, durability="exit",
                                                      stream_mode=["custom", "values"]):
                if mode == "custom" and "token" in chunk:
                    yield TurnEvent("token", {"text": chunk["token"]})
                elif mode == "custom" and chunk.get("reset"):
                    yield TurnEvent("reset", {})
                elif mode == "values":
                    final = chunk
        except Exception:
            log.exception("graph failed for conversation %s", conversation_id)
            final = {"reply": rt.prompts.render("error_reply"), "intent": "smalltalk",
                     "route": "assistant", "suggestions": []}
            yield TurnEvent("token", {"text": final["reply"]})
    try:
        turn = await asyncio.to_thread(
            finish_turn, rt.engine, rt.settings, rt.policy.triggers,
            conversation_id=conversation_id, shopper_id=shopper_id, final=final,
            staffing=begun.staffing)
    except ConversationGone:
        # Erased while the graph ran: drop the checkpoint and the stored preferences this
        # turn wrote, so a late message never brings any of it back.
        await rt.graph.checkpointer.adelete_thread(conversation_id)  # type: ignore[union-attr]
        await asyncio.to_thread(undo_late_writes, rt.engine, customer_id=begun.customer_id,
                                wrote_profile=context is not None
                                and "profile:write" in context.reads)
        raise
    except SQLAlchemyError as exc:
        # The turn stays pending: the next holder of the lock (a resend, or the sweep)
        # stores the reply from the checkpoint the graph just wrote.
        log.warning("could not store the reply to message %s (%s); it stays pending",
                    shopper_id, exc.__class__.__name__)
        with suppress(SQLAlchemyError):  # still down: a pending turn is retried the same
            await asyncio.to_thread(mark_failed, rt.engine, shopper_id=shopper_id,
                                    error=exc.__class__.__name__)
        yield TurnEvent("error", {"detail": SAVE_FAILED, "status": 503})
        return
    if turn.handoff is not None:
        await _draft_summary_later(rt, turn.handoff.id)
    log.info("turn conversation=%s intent=%s route=%s suggestions=%d seconds=%.3f llm=%s",
             conversation_id, turn.intent, turn.route, len(turn.reply.suggestions),
             time.perf_counter() - started, final.get("facts", {}).get("_llm"))
    yield TurnEvent("done", turn.model_dump())


async def _draft_summary_later(rt: TandemRuntime, handoff_id: str) -> None:
    """The AI summary is a background job, after the shopper's answer (it may take a while)."""
    if rt.jobs is None:
        rt.spawn(draft_ai_summary(rt, handoff_id))
        return
    try:
        await rt.jobs.defer("handoff_summary", handoff_id=handoff_id)
    except (SQLAlchemyError, OSError) as exc:  # the agent still has the rule-based summary
        log.warning("could not queue the AI summary of handoff %s: %s", handoff_id,
                    exc.__class__.__name__)


def _error(status: int, detail: str) -> TurnEvent:
    return TurnEvent("error", {"detail": detail, "status": status})


def start_turn(rt: TandemRuntime, *, conversation_id: str, text: str,
               client_message_id: str | None, client_key: str | None = None
               ) -> asyncio.Queue[TurnEvent | None]:
    """Run the turn in a task of its own; its events arrive on the queue, the last one
    `done` or `error` (with the HTTP status it stands for), then None."""
    queue: asyncio.Queue[TurnEvent | None] = asyncio.Queue()

    async def pump() -> None:
        ended = False
        try:
            async for event in run_turn(rt, conversation_id=conversation_id, text=text,
                                        client_message_id=client_message_id,
                                        client_key=client_key):
                ended = ended or event.kind in ("done", "error")
                queue.put_nowait(event)
        except TurnInProgress as exc:
            queue.put_nowait(_error(409, str(exc)))
        except ConversationGone:
            queue.put_nowait(_error(404, "conversation not found"))
        except SQLAlchemyError as exc:
            log.warning("turn of conversation %s could not start: %s", conversation_id,
                        exc.__class__.__name__)
            queue.put_nowait(_error(503, "the database is unavailable; send it again shortly"))
        except Exception:  # whatever failed, the stream must say so
            log.exception("turn of conversation %s failed", conversation_id)
            queue.put_nowait(_error(500, "the turn failed; send it again"))
        finally:
            if queue.empty() and not ended:
                queue.put_nowait(_error(503, "the server is shutting down; send it again"))
            queue.put_nowait(None)

    rt.track_turn(pump())
    return queue


async def _answer_stranded(rt: TandemRuntime, message_id: int, conversation_id: str) -> bool:
    try:
        async with rt.locks.hold(conversation_id, wait_s=0):
            begun = await asyncio.to_thread(begin_stranded, rt.engine, rt.settings,
                                            message_id=message_id)
            if begun is None:
                return False
            answered = False
            async for event in _answer(rt, conversation_id, begun):
                answered = answered or event.kind == "done"
            return answered
    except (ConversationBusy, ConversationGone):
        return False


async def sweep_stranded(rt: TandemRuntime) -> int:
    """Answer every stranded turn whose conversation nobody holds; returns how many.  Each
    runs as a turn of its own, so a shutdown drains it like any other."""
    answered = 0
    for message_id, conversation_id in await asyncio.to_thread(stranded_turns, rt.engine):
        if rt.locks.busy_here(conversation_id) or not rt.accepting:
            continue
        task = rt.track_turn(_answer_stranded(rt, message_id, conversation_id))
        answered += bool(await asyncio.shield(task))
    return answered


async def timed_turn(rt: TandemRuntime, *, conversation_id: str, text: str
                     ) -> tuple[dict[str, Any], float | None, float]:
    """One turn run to its end, for evals and the bench: (the final turn as the API returns
    it, seconds to the first streamed token or None if nothing streamed, seconds in all)."""
    started = time.perf_counter()
    first: float | None = None
    done: dict[str, Any] = {}
    async for event in run_turn(rt, conversation_id=conversation_id, text=text,
                                client_message_id=uuid.uuid4().hex):
        if event.kind == "token" and first is None:
            first = time.perf_counter() - started
        elif event.kind == "done":
            done = event.data
    return done, first, time.perf_counter() - started
