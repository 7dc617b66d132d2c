"""Run-time context handed to every node through `Runtime[TandemContext]` (never globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy.engine import Engine

from agent.commerce.inventory import InventoryService
from agent.escalation import EscalationPolicy
from agent.prompts import PromptLibrary
from agent.reply_check import ReplyChecks
from agent.store_policy import StorePolicy, load_store_policy


@dataclass
class TandemContext:
    engine: Engine
    """The store database (catalogue, orders)."""
    inventory: InventoryService
    """Live stock, checked at answer time."""
    model: BaseChatModel | None
    """The chat model that phrases replies from the facts the graph fetched; None while it
    is still loading or after it failed, in which case replies come from templates."""
    policy: EscalationPolicy
    prompts: PromptLibrary
    store_policy: StorePolicy = field(default_factory=load_store_policy)
    """Returns, exchanges and shipping as the retailer states them (policies/store_policy.yaml;
    the app loads the file from its policies folder at start-up)."""
    region: str = "US-West"
    """The shopper's region, for the delivery estimate."""
    max_suggestions: int = 3
    llm_timeout_s: float = 30.0
    customer_id: str | None = None
    """A signed-in shopper's customer id (verified upstream); None for anonymous shoppers."""
    client_key: str | None = None
    """Who is asking, as an opaque key (the API's keyed hash of the client's IP address):
    failed order proofs are counted against it across conversations."""
    personalization: bool = True
    staffing: dict[str, Any] = field(default_factory=dict)
    """Whether a person is online or support is open, and when it next opens (plain data from
    `api.services.staffing`), so a handoff reply can say honestly when someone will answer."""
    reply_checks: ReplyChecks | None = None
    """Counts of model replies kept and replaced by the fact check (shown by /healthz)."""
    catalogue_names: tuple[str, ...] | None = None
    """The store's product names, kept by the first node that reads the catalogue this turn
    (the router), so the reply check does not read them again."""
    reads: list[str] = field(default_factory=list)
    """An audit of the data sources the graph read this turn (for privacy checks)."""
