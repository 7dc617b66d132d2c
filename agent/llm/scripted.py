"""A deterministic chat model for tests and benchmarks: it replays given replies.

Plain replies and structured (JSON) replies come from separate queues, because the graph
asks for them at different points of a turn.  When a queue runs out, plain calls answer
`default_reply` if one is set; otherwise (and always for structured calls) they raise
`ScriptExhausted`, so the callers' template fallbacks answer, exactly as they would for a
failing real model.  The `scripted` provider runs that way: deterministic, fact-only replies.
`default_reply` may also be a function of the prompt (the bench's stand-in models).

Token usage is reported like a real provider's (words stand in for tokens), also when
streaming, so usage callbacks and the bench count scripted calls the same way.
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
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, PrivateAttr

Reply = str | Exception | Callable[[Sequence[BaseMessage]], str]


class ScriptExhausted(RuntimeError):
    """A structured reply was asked for but none was scripted."""


class ScriptedChatModel(BaseChatModel):
    replies: list[Reply] = Field(default_factory=list)
    structured_replies: list[Reply] = Field(default_factory=list)
    default_reply: Reply | None = None
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
            reply: Reply = self.default_reply
        else:
            reply = queue.popleft()
        if isinstance(reply, Exception):
            raise reply
        return reply(messages) if callable(reply) else reply

    def bind_tools(self, tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
                   *, tool_choice: str | None = None,
                   **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        """Accept tools like a real provider (the replies stay scripted: a script that
        wants to call one writes the call as JSON text, as small local models do)."""
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    @staticmethod
    def _is_structured(kwargs: dict[str, Any]) -> bool:
        return "response_format" in kwargs or "format" in kwargs

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        text = self._next(messages, self._is_structured(kwargs))
        message = AIMessage(content=text, usage_metadata=_usage(messages, text))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        text = self._next(messages, self._is_structured(kwargs))
        for piece in _pieces(text):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        yield _usage_chunk(messages, text)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        text = self._next(messages, self._is_structured(kwargs))
        for piece in _pieces(text):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        yield _usage_chunk(messages, text)


def _usage(messages: Sequence[BaseMessage], text: str) -> UsageMetadata:
    prompt = sum(len(str(m.content).split()) for m in messages)
    completion = len(text.split())
    return UsageMetadata(input_tokens=prompt, output_tokens=completion,
                         total_tokens=prompt + completion)


def _usage_chunk(messages: Sequence[BaseMessage], text: str) -> ChatGenerationChunk:
    """The last streamed chunk carries the usage, as OpenAI-style servers send it."""
    return ChatGenerationChunk(message=AIMessageChunk(content="",
                                                      usage_metadata=_usage(messages, text)))


def _pieces(text: str) -> list[str]:
    """Split like a tokenizer would, roughly: words with their leading space."""
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]
