"""One factory for every provider: embedded (default), ollama, openai and scripted."""

from __future__ import annotations

import logging

from langchain_core.language_models import BaseChatModel

from agent.config import LLMConfig
from agent.llm.limits import GenerationGate
from agent.llm.scripted import ScriptedChatModel

logger = logging.getLogger(__name__)

# Generations at once when `llm_max_concurrent` is unset.  A local model already uses every
# CPU core for one generation; a hosted endpoint serves several, but each costs money.
_DEFAULT_CONCURRENT: dict[str, int] = {"embedded": 1, "ollama": 1, "openai": 4, "scripted": 0}


def generation_gate(config: LLMConfig) -> GenerationGate | None:
    """The process's bound on concurrent generations, or None when unbounded."""
    limit = config.max_concurrent
    if limit is None:
        limit = _DEFAULT_CONCURRENT.get(config.provider, 1)
    if limit == 0:
        return None
    return GenerationGate(max_concurrent=limit, max_waiting=config.queue_max,
                          max_wait_s=config.queue_wait_s)


def warm_up(config: LLMConfig, system_prompt: str) -> None:
    """Pay the embedded runtime's first-call costs before the first shopper does, and leave
    the static system prompt in its prompt cache.  Other providers need no warm-up."""
    if config.provider != "embedded":
        return
    from agent.llm.embedded import get_runtime
    from agent.llm.model_files import ensure_embedded_model

    path = ensure_embedded_model(config.model_dir, config.model)
    runtime = get_runtime(path, config.threads, config.context_tokens)
    runtime.warm_up(system_prompt)
    if runtime.choice is not None and runtime.choice.name == "prebuilt":
        # The first answers come from the prebuilt wheel at once; a build for this CPU
        # (about twice the prompt speed) is compiled meanwhile, for the next start.
        from agent.llm.runtime_build import start_background_build

        start_background_build(path, log=logger.warning)


def make_chat_model(config: LLMConfig) -> BaseChatModel:
    """A LangChain chat model for the configured provider, with a timeout on every call."""
    provider = config.provider
    if provider == "scripted":
        return ScriptedChatModel()
    if provider in ("openai", "ollama"):
        return _remote_model(config)
    if provider == "embedded":
        from agent.llm.embedded import get_runtime
        from agent.llm.model_files import ensure_embedded_model

        path = ensure_embedded_model(config.model_dir, config.model)
        runtime = get_runtime(path, config.threads, config.context_tokens)
        runtime.start()
        return runtime.chat_model(max_tokens=config.max_tokens,
                                  timeout_s=config.timeout_s)
    raise ValueError(f"unknown LLM provider {provider!r}")


def _remote_model(config: LLMConfig) -> BaseChatModel:
    """An OpenAI-compatible or Ollama endpoint.  Unless it runs on this machine (by its URL,
    not the provider's name), it never sees personal data while `redact_hosted` is on."""
    from agent.privacy.hosted import is_local_endpoint, keep_private

    model: BaseChatModel
    if config.provider == "openai":
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(
            model=config.model, base_url=config.base_url,
            api_key=config.api_key or "not-needed",
            timeout=config.timeout_s, max_retries=1,
            max_tokens=config.max_tokens, temperature=0.2,
        )
        base_url = config.base_url  # None: OpenAI's own endpoint
    else:
        from langchain_ollama import ChatOllama

        base_url = config.base_url or "http://127.0.0.1:11434"
        model = ChatOllama(
            model=config.model, base_url=base_url,
            num_predict=config.max_tokens, temperature=0.2,
            client_kwargs={"timeout": config.timeout_s},
        )
    if config.redact_hosted and not is_local_endpoint(base_url):
        return keep_private(model)
    return model
