"""A deterministic chat model for tests and benchmarks: it replays given replies.

Plain replies and structured (JSON) replies come from separate queues, because the graph
asks for them at different points of a turn.  When a queue runs out, plain calls answer
`default_reply` if one is set; otherwise (and always for structured calls) they raise
`ScriptExhausted`, so the callers' template fallbacks answer, exactly as they would for a
failing real model.  The `scripted` provider runs that way: deterministic, fact-only replies.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, PrivateAttr

Reply = str | Exception | Callable[[Sequence[BaseMessage]], str]


class ScriptExhausted(RuntimeError):
    """A structured reply was asked for but none was scripted."""


class ScriptedChatModel(BaseChatModel):
    replies: list[Reply] = Field(default_factory=list)
    structured_replies: list[Reply] = Field(default_factory=list)
    default_reply: str | None = None
    delay_s: float = 0.0
    _replies: deque[Reply] = PrivateAttr()
    _structured: deque[Reply] = PrivateAttr()
    calls: list[dict[str, Any]] = Field(default_factory=list)

    def model_post_init(self, __context: Any) -> None:
        self._replies = deque(self.replies)
        self._structured = deque(self.structured_replies)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: Sequence[BaseMessage], structured: bool) -> str:
        self.calls.append({"messages": list(messages), "structured": structured})
        queue = self._structured if structured else self._replies
        if not queue:
            if structured or self.default_reply is None:
                raise ScriptExhausted("no reply scripted")
            return self.default_reply
        reply = queue.popleft()
        if isinstance(reply, Exception):
            raise reply
        return reply(messages) if callable(reply) else reply

    @staticmethod
    def _is_structured(kwargs: dict[str, Any]) -> bool:
        return "response_format" in kwargs or "format" in kwargs

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        text = self._next(messages, self._is_structured(kwargs))
        usage = {"input_tokens": sum(len(str(m.content).split()) for m in messages),
                 "output_tokens": len(text.split()),
                 "total_tokens": 0}
        usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
        message = AIMessage(content=text, usage_metadata=usage)  # type: ignore[arg-type]
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        text = self._next(messages, self._is_structured(kwargs))
        for piece in _pieces(text):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        text = self._next(messages, self._is_structured(kwargs))
        for piece in _pieces(text):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


def _pieces(text: str) -> list[str]:
    """Split like a tokenizer would, roughly: words with their leading space."""
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]
