"""Everything a running Tandem process holds once: engine, graph, model, policy, prompts.

Built in the app's lifespan (and by the CLI's `chat`), handed to services explicitly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Literal

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
from api.checkpoints import open_checkpointer
from api.db import engine_for
from api.settings import Settings

log = logging.getLogger(__name__)


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

    def spawn(self, coro: object) -> None:
        """Run work after the reply (e.g. drafting a summary) without losing the task."""
        task: asyncio.Task[None] = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self.background.add(task)
        task.add_done_callback(self.background.discard)


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
    policy = load_policy(settings.policies_dir / "escalation.yaml")
    store_policy = load_store_policy(settings.policies_dir / "store_policy.yaml")
    engine = engine_for(settings.database_url)
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
        # The language detector's model takes ~2 s to read: off the first shopper's turn.
        runtime.spawn(asyncio.to_thread(warm_language_detector))
        try:
            yield runtime
        finally:
            for task in list(runtime.background):
                task.cancel()
            if inventory is None and isinstance(runtime.inventory, HttpInventory):
                runtime.inventory.close()
