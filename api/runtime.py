"""Everything a running Tandem process holds once: engine, graph, model, policy, prompts.

Built in the app's lifespan (and by the CLI's `chat`), handed to services explicitly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from langchain_core.language_models import BaseChatModel
from sqlalchemy.engine import Engine

from agent.commerce.inventory import DatabaseInventory, InventoryService
from agent.commerce.inventory_http import HttpInventory
from agent.escalation import EscalationPolicy, load_policy
from agent.graph import Graph, build_graph
from agent.i18n.language import warm as warm_language_detector
from agent.llm.factory import generation_gate, make_chat_model, warm_up
from agent.llm.limits import GenerationGate, gated
from agent.prompts import PromptLibrary, prompt_library
from agent.reply_check import ReplyChecks
from agent.store_policy import StorePolicy, load_store_policy
from agent.triage.classifier import WEIGHTS_FILE, TriageClassifier
from api.checkpoints import open_checkpointer
from api.db import engine_for
from api.db_budget import warn_if_over_budget
from api.live.bus import LocalBus, bus_for
from api.live.turn_lock import ConversationLocks
from api.settings import Settings

log = logging.getLogger(__name__)
DATABASE_THREADS = 24
"""Below the PostgreSQL pool's 50 connections (domain/db.py), with room for the routes."""
T = TypeVar("T")


@dataclass
class ModelHolder:
    """The chat model, loaded and warmed up once per process in the background so the server
    can answer `/healthz` honestly ("starting") until the first reply will be quick.  Every
    generation goes through `gate` (at most `TANDEM_LLM_MAX_CONCURRENT` at once)."""

    model: BaseChatModel | None = None
    state: Literal["loading", "ready", "failed"] = "loading"
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    gate: GenerationGate | None = None

    def use(self, model: BaseChatModel) -> None:
        """Hold an already built model (tests, the bench): ready at once, behind the gate."""
        self.model, self.state = gated(model, self.gate), "ready"
        self.ready.set()

    async def load(self, settings: Settings) -> None:
        try:
            model = await asyncio.to_thread(make_chat_model, settings.llm_config())
            # The static system prompt goes into the runtime's prompt cache now, not on
            # the first shopper's turn.
            system = prompt_library(settings.prompts_dir).render("system")
            await asyncio.to_thread(warm_up, settings.llm_config(), system)
            self.model, self.state = gated(model, self.gate), "ready"
        except Exception:
            log.exception("could not load the %s chat model", settings.llm_provider)
            self.state = "failed"
        finally:
            self.ready.set()

    async def get(self, wait_s: float) -> BaseChatModel | None:
        if not self.ready.is_set():
            try:
                await asyncio.wait_for(self.ready.wait(), timeout=wait_s)
            except TimeoutError:
                return None
        return self.model


class JobQueue(Protocol):
    """The durable background job queue (api/jobs/): procrastinate on PostgreSQL, a table
    and an in-process runner on SQLite."""

    async def defer(self, name: str, **args: Any) -> None:
        """Store a job (it survives a restart) and let a worker run it."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no job is waiting or running (tests, benches); False on timeout."""


@dataclass
class TandemRuntime:
    settings: Settings
    engine: Engine
    graph: Graph
    policy: EscalationPolicy
    prompts: PromptLibrary
    inventory: InventoryService
    models: ModelHolder
    store_policy: StorePolicy = field(default_factory=load_store_policy)
    reply_checks: ReplyChecks = field(default_factory=ReplyChecks)
    """Model replies kept and replaced by the fact check, for /healthz."""
    background: set[asyncio.Task[None]] = field(default_factory=set)
    locks: ConversationLocks = field(init=False)
    """The per-conversation turn lock, across processes (api/live/turn_lock.py)."""
    bus: LocalBus = field(init=False)
    """Wakes event streams when their events commit (api/live/bus.py)."""
    turns: set[asyncio.Task[Any]] = field(default_factory=set)
    """Turns running in this process: a shutdown waits for them (`drain`)."""
    accepting: bool = True
    """False while shutting down: new turns get 503 and go to another worker."""
    jobs: JobQueue | None = None
    """Set by the app's lifespan; None in a bare runtime (`tandem chat`, benches), where
    background work runs as plain tasks."""

    def __post_init__(self) -> None:
        self.locks = ConversationLocks(
            self.engine, lease_s=self.settings.turn_lease_s,
            single_process=self.settings.is_sqlite and self.settings.workers == 1)
        self.bus = bus_for(self.engine, self.settings.database_url,
                           workers=self.settings.workers)

    def spawn(self, coro: object) -> None:
        """Run work after the reply (e.g. drafting a summary) without losing the task."""
        task: asyncio.Task[None] = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    def track_turn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run a turn in a task of its own, which a shutdown drains rather than cancels."""
        task = asyncio.ensure_future(coro)
        self.turns.add(task)  # type: ignore[arg-type]
        task.add_done_callback(self.turns.discard)  # type: ignore[arg-type]
        return task

    async def drain(self, timeout_s: float) -> int:
        """Stop taking turns and wait up to `timeout_s` for those running; the ones still
        running are cancelled (their turns stay pending and are answered after a restart).
        Returns how many were cancelled."""
        self.accepting = False
        if self.turns:
            log.info("waiting for %d turn(s) to finish", len(self.turns))
            _, late = await asyncio.wait(list(self.turns), timeout=timeout_s)
            for task in late:
                task.cancel()
            return len(late)
        return 0


def with_retrained_classifier(policy: EscalationPolicy, model_dir: Path) -> EscalationPolicy:
    """The policy with the classifier `tandem retrain` adopted, when there is one (a model
    that does not load stops start-up, like an invalid policy)."""
    if policy.classifier is None or not (model_dir / WEIGHTS_FILE).is_file():
        return policy
    return replace(policy, classifier=TriageClassifier.load(model_dir))


def inventory_for(settings: Settings, engine: Engine) -> InventoryService:
    """The retailer's inventory API when `TANDEM_INVENTORY_URL` is set, else the database."""
    if not settings.inventory_url:
        return DatabaseInventory(engine)
    key = settings.inventory_api_key
    return HttpInventory(
        settings.inventory_url, timeout_s=settings.inventory_timeout_s,
        retries=settings.inventory_retries, backoff_s=settings.inventory_backoff_s,
        breaker_failures=settings.inventory_breaker_failures,
        breaker_reset_s=settings.inventory_breaker_reset_s,
        api_key=key.get_secret_value() if key else None,
    )


@asynccontextmanager
async def open_runtime(settings: Settings, *, model: BaseChatModel | None = None,
                       inventory: InventoryService | None = None) -> AsyncIterator[TandemRuntime]:
    """Open the database, checkpointer and policy; start loading the model.

    An invalid escalation policy raises `PolicyError` here (an invalid store policy
    `StorePolicyError`), so the app refuses to start.
    """
    policy = with_retrained_classifier(load_policy(settings.policies_dir / "escalation.yaml"),
                                       settings.triage_model_dir)
    store_policy = load_store_policy(settings.policies_dir / "store_policy.yaml")
    pool = settings.db_pool()
    engine = engine_for(settings.database_url, pool)
    if not settings.is_sqlite:
        # Turns hand their database work and the graph's sync nodes to the loop's default
        # executor (cpu_count + 4 threads: 6 here); on PostgreSQL that work mostly waits on
        # the network, and with six threads a burst of shoppers queued behind each other.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=DATABASE_THREADS, thread_name_prefix="tandem-db"))
        await asyncio.to_thread(warn_if_over_budget, engine, settings.workers, pool)
    holder = ModelHolder(gate=generation_gate(settings.llm_config()))
    async with open_checkpointer(settings.database_url) as saver:
        runtime = TandemRuntime(
            settings=settings, engine=engine, graph=build_graph(saver), policy=policy,
            prompts=prompt_library(settings.prompts_dir),
            inventory=inventory or inventory_for(settings, engine), models=holder,
            store_policy=store_policy,
        )
        if model is not None:
            holder.use(model)
        else:
            runtime.spawn(holder.load(settings))
        await runtime.bus.start()
        # The language detector's model takes ~2 s to read: off the first shopper's turn.
        runtime.spawn(asyncio.to_thread(warm_language_detector))
        try:
            yield runtime
        finally:
            await runtime.bus.stop()
            await runtime.drain(settings.shutdown_drain_s)
            for task in list(runtime.background):
                task.cancel()
            if inventory is None and isinstance(runtime.inventory, HttpInventory):
                runtime.inventory.close()
