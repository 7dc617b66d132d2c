"""What an assistant variant changes in a turn: its prompts, policies, model or number of
suggestions, applied to the turn's context.  Files are loaded once per process (the
loaders cache per path) and were validated when the experiment started and at start-up.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from agent.context import TandemContext
from agent.escalation import EscalationPolicy, load_policy
from agent.llm.factory import make_chat_model
from agent.llm.limits import gated
from agent.prompts import prompt_library
from agent.store_policy import load_store_policy
from api.experiments.assignment import conversation_variants
from api.experiments.definition import Variant
from api.runtime import TandemRuntime
from domain.db import session_scope

_models: dict[str, BaseChatModel] = {}


@lru_cache(maxsize=16)
def _policy(folder: Path) -> EscalationPolicy:
    return load_policy(folder / "escalation.yaml")


def _variants_of(rt: TandemRuntime, conversation_id: str) -> list[Variant]:
    with session_scope(rt.engine) as session:
        return [r.definition.variants[v] for r, v in conversation_variants(session,
                                                                           conversation_id)]


def _model(rt: TandemRuntime, name: str) -> BaseChatModel:
    """Another model of the configured provider, built once and behind the same gate."""
    if name not in _models:
        config = replace(rt.settings.llm_config(), model=name)
        _models[name] = gated(make_chat_model(config), rt.models.gate)
    return _models[name]


async def variant_context(rt: TandemRuntime, conversation_id: str,
                          context: TandemContext) -> TandemContext:
    """The turn's context with the conversation's variant applied (unchanged outside any
    running experiment)."""
    variants = await asyncio.to_thread(_variants_of, rt, conversation_id)
    for variant in variants:
        if variant.prompts_dir is not None:
            context = replace(context, prompts=prompt_library(variant.prompts_dir))
        if variant.policies_dir is not None:
            context = replace(
                context, policy=_policy(variant.policies_dir),
                store_policy=load_store_policy(variant.policies_dir / "store_policy.yaml"))
        if variant.max_suggestions is not None:
            context = replace(context, max_suggestions=variant.max_suggestions)
        if variant.llm_model is not None and context.model is not None:
            context = replace(context, model=await asyncio.to_thread(_model, rt,
                                                                     variant.llm_model))
    return context
