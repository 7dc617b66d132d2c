"""A chat model wrapper that keeps personal data away from a hosted LLM provider.

Every message is redacted before it leaves the process; the placeholders in the model's
answer are filled back in before anyone reads it, so the shopper still sees their own email
in the reply.  One `Redactor` per call: the whole prompt travels with every call, so the
numbering is stable within it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from agent.privacy.redact import Redactor

# The longest placeholder ("[ADDRESS_99]") fits in this many characters.
_HOLD_BACK = 16


def _redacted(messages: list[BaseMessage], redactor: Redactor) -> list[BaseMessage]:
    out: list[BaseMessage] = []
    for message in messages:
        content = message.content
        if isinstance(content, str):
            content = redactor.redact(content)
        out.append(message.model_copy(update={"content": content}))
    return out


def _restored(result: ChatResult, redactor: Redactor) -> ChatResult:
    generations = []
    for gen in result.generations:
        message = gen.message
        if isinstance(message.content, str):
            message = message.model_copy(update={"content": redactor.restore(message.content)})
        generations.append(ChatGeneration(message=message, generation_info=gen.generation_info))
    return ChatResult(generations=generations, llm_output=result.llm_output)


class _StreamRestorer:
    """Restores placeholders in streamed text, holding back a possibly half-sent one."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._pending = ""

    def feed(self, piece: str) -> str:
        self._pending += piece
        cut = self._pending.rfind("[")
        if cut != -1 and "]" not in self._pending[cut:] and len(self._pending) - cut < _HOLD_BACK:
            ready, self._pending = self._pending[:cut], self._pending[cut:]
        else:
            ready, self._pending = self._pending, ""
        return self._redactor.restore(ready)

    def flush(self) -> str:
        ready, self._pending = self._pending, ""
        return self._redactor.restore(ready)


class RedactingChatModel(BaseChatModel):
    """Wraps `inner`: redacts what is sent, restores what comes back (also when streamed)."""

    inner: BaseChatModel

    @property
    def _llm_type(self) -> str:
        return f"redacting-{self.inner._llm_type}"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        redactor = Redactor()
        result = self.inner._generate(_redacted(messages, redactor), stop=stop, **kwargs)
        return _restored(result, redactor)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None,
                         **kwargs: Any) -> ChatResult:
        redactor = Redactor()
        result = await self.inner._agenerate(_redacted(messages, redactor), stop=stop, **kwargs)
        return _restored(result, redactor)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        redactor = Redactor()
        restorer = _StreamRestorer(redactor)
        for chunk in self.inner._stream(_redacted(messages, redactor), stop=stop, **kwargs):
            text = restorer.feed(str(chunk.message.content))
            if text:
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))
        if rest := restorer.flush():
            yield ChatGenerationChunk(message=AIMessageChunk(content=rest))

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        redactor = Redactor()
        restorer = _StreamRestorer(redactor)
        async for chunk in self.inner._astream(_redacted(messages, redactor), stop=stop,
                                               **kwargs):
            text = restorer.feed(str(chunk.message.content))
            if text:
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))
        if rest := restorer.flush():
            yield ChatGenerationChunk(message=AIMessageChunk(content=rest))


_LOCAL_HOSTS = {"localhost", "ip6-localhost"}


def is_local_endpoint(base_url: str | None) -> bool:
    """Whether a model endpoint runs on this machine (loopback): only then may it see
    personal data unredacted.  Decided by the URL, not the provider's name: an Ollama on
    another host is as hosted as any API.  No URL means the provider's public default."""
    if not base_url:
        return False
    host = (urlsplit(base_url if "//" in base_url else f"//{base_url}").hostname or "").lower()
    if host in _LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def keep_private(model: BaseChatModel) -> RedactingChatModel:
    """`model` behind redaction: what the provider receives carries no personal data."""
    return RedactingChatModel(inner=model)

