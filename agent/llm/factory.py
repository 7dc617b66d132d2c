"""One factory for every provider: embedded (default), ollama, openai and scripted."""

from __future__ import annotations

from typing import Literal

from langchain_core.language_models import BaseChatModel

from agent.llm.limits import GenerationGate
from agent.llm.scripted import ScriptedChatModel
from api.settings import Settings

Provider = Literal["embedded", "ollama", "openai", "scripted"]

# Generations at once when `llm_max_concurrent` is unset.  A local model already uses every
# CPU core for one generation; a hosted endpoint serves several, but each costs money.
_DEFAULT_CONCURRENT: dict[str, int] = {"embedded": 1, "ollama": 1, "openai": 4, "scripted": 0}


def generation_gate(settings: Settings) -> GenerationGate | None:
    """The process's bound on concurrent generations, or None when unbounded."""
    limit = settings.llm_max_concurrent
    if limit is None:
        limit = _DEFAULT_CONCURRENT.get(settings.llm_provider, 1)
    if limit == 0:
        return None
    return GenerationGate(max_concurrent=limit, max_waiting=settings.llm_queue_max,
                          max_wait_s=settings.llm_queue_wait_s)


def warm_up(settings: Settings, system_prompt: str) -> None:
    """Pay the embedded runtime's first-call costs before the first shopper does, and leave
    the static system prompt in its prompt cache.  Other providers need no warm-up."""
    if settings.llm_provider != "embedded":
        return
    from agent.llm.embedded import get_runtime
    from agent.llm.model_files import ensure_embedded_model

    path = ensure_embedded_model(settings.model_dir, settings.llm_model)
    get_runtime(path, settings.llm_threads, settings.llm_context_tokens).warm_up(system_prompt)


def make_chat_model(settings: Settings) -> BaseChatModel:
    """A LangChain chat model for the configured provider, with a timeout on every call."""
    provider = settings.llm_provider
    if provider == "scripted":
        return ScriptedChatModel()
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        from agent.privacy.hosted import keep_private

        hosted = ChatOpenAI(
            model=settings.llm_model, base_url=settings.llm_base_url,
            api_key=(settings.llm_api_key.get_secret_value() if settings.llm_api_key
                     else "not-needed"),  # type: ignore[arg-type]
            timeout=settings.llm_timeout_s, max_retries=1,
            max_tokens=settings.llm_max_tokens, temperature=0.2,  # type: ignore[call-arg]
        )
        # A hosted provider never sees personal data unless the retailer turns this off.
        return keep_private(hosted) if settings.redact_hosted_llm else hosted
    if provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=settings.llm_model, base_url=settings.llm_base_url or "http://127.0.0.1:11434",
            num_predict=settings.llm_max_tokens, temperature=0.2,
            client_kwargs={"timeout": settings.llm_timeout_s},
        )
    if provider == "embedded":
        from agent.llm.embedded import get_runtime
        from agent.llm.model_files import ensure_embedded_model

        path = ensure_embedded_model(settings.model_dir, settings.llm_model)
        runtime = get_runtime(path, settings.llm_threads, settings.llm_context_tokens)
        runtime.start()
        return runtime.chat_model(max_tokens=settings.llm_max_tokens,
                                  timeout_s=settings.llm_timeout_s)
    raise ValueError(f"unknown LLM provider {provider!r}")
