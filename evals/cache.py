"""A chat-model wrapper for eval runs: an on-disk cache of model calls, and a meter.

Calls are keyed by provider, model, the full prompt (messages and call options such as a
JSON schema) and the repeat index, so a rerun of the same suite costs nothing while the k
repeats of one case stay independent samples.  The meter counts calls and tokens of the
turn being run (`metering()`), for the latency-and-cost scorer.  Errors are never cached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


@dataclass
class TurnMeter:
    calls: int = 0
    cached_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


_METER: ContextVar[TurnMeter | None] = ContextVar("eval_turn_meter", default=None)
_REPEAT: ContextVar[int] = ContextVar("eval_repeat", default=0)


@contextmanager
def metering(repeat: int) -> Iterator[TurnMeter]:
    """Count the model calls made (in this task and the tasks it starts) for one turn."""
    meter = TurnMeter()
    meter_token, repeat_token = _METER.set(meter), _REPEAT.set(repeat)
    try:
        yield meter
    finally:
        _METER.reset(meter_token)
        _REPEAT.reset(repeat_token)


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4) if text else 0  # when the provider reports no usage


class CachedChatModel(BaseChatModel):
    inner: BaseChatModel
    provider: str
    model_name: str
    cache_dir: Path | None = None

    @property
    def _llm_type(self) -> str:
        # Structured output binds differently per provider; keep the inner model's type.
        return self.inner._llm_type

    def _key(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> str:
        payload = {"provider": self.provider, "model": self.model_name,
                   "repeat": _REPEAT.get(), "options": kwargs,
                   "messages": [[m.type, m.content] for m in messages]}
        blob = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def _path(self, key: str) -> Path | None:
        return self.cache_dir / key[:2] / f"{key}.json" if self.cache_dir else None

    def _load(self, key: str) -> str | None:
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            return str(json.loads(path.read_text(encoding="utf-8"))["text"])
        except (OSError, ValueError, KeyError):
            return None  # a torn or stale entry is simply a miss

    def _write(self, key: str, text: str) -> None:
        path = self._path(key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"text": text}), encoding="utf-8")
        tmp.replace(path)

    @staticmethod
    def _started() -> None:
        """Count the call when it starts, so a call that times out is still counted."""
        meter = _METER.get()
        if meter is not None:
            meter.calls += 1

    def _count(self, messages: list[BaseMessage], text: str, usage: dict[str, Any] | None,
               cached: bool) -> None:
        meter = _METER.get()
        if meter is None:
            return
        meter.cached_calls += cached
        if usage and usage.get("input_tokens"):
            meter.input_tokens += int(usage.get("input_tokens", 0))
            meter.output_tokens += int(usage.get("output_tokens", 0))
        else:
            meter.input_tokens += sum(_estimate_tokens(str(m.content)) for m in messages)
            meter.output_tokens += _estimate_tokens(text)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        self._started()
        key = self._key(messages, kwargs)
        text, cached, usage = self._load(key), True, None
        if text is None:
            reply = self.inner.invoke(messages, stop=stop, **kwargs)
            text, cached = str(reply.content), False
            usage = getattr(reply, "usage_metadata", None)
            self._write(key, text)
        self._count(messages, text, usage, cached)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None,
                         **kwargs: Any) -> ChatResult:
        self._started()
        key = self._key(messages, kwargs)
        text, cached, usage = self._load(key), True, None
        if text is None:
            reply = await self.inner.ainvoke(messages, stop=stop, **kwargs)
            text, cached = str(reply.content), False
            usage = getattr(reply, "usage_metadata", None)
            self._write(key, text)
        self._count(messages, text, usage, cached)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        self._started()
        key = self._key(messages, kwargs)
        text = self._load(key)
        if text is not None:
            self._count(messages, text, None, cached=True)
            yield ChatGenerationChunk(message=AIMessageChunk(content=text))
            return
        parts: list[str] = []
        usage: dict[str, Any] | None = None
        async for chunk in self.inner.astream(messages, stop=stop, **kwargs):
            piece = str(chunk.content)
            usage = getattr(chunk, "usage_metadata", None) or usage
            if piece:
                parts.append(piece)
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        text = "".join(parts)
        self._write(key, text)
        self._count(messages, text, usage, cached=False)
