"""Embedded local LLM: llama.cpp (via xllamacpp) serving a GGUF model in-process.

xllamacpp's ``Server`` runs llama.cpp's own C++ server (continuous batching, prompt
cache, JSON-schema constrained decoding through LLGuidance) on background threads and
exposes its OpenAI-compatible HTTP API.  We bind it to 127.0.0.1 on an ephemeral port
with a random per-process API key and talk to it through ``langchain_openai.ChatOpenAI``,
so streaming, tool calls and ``response_format`` behave exactly like the hosted
providers and nothing extra has to be installed or launched.
"""

from __future__ import annotations

import atexit
import copy
import logging
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.llm.runtimes import RuntimeChoice, choose_runtime, import_xllamacpp

logger = logging.getLogger(__name__)

# LLGuidance's default JSON grammar lets the model emit arbitrary runs of whitespace
# between tokens; small models sometimes fill max_tokens with "\n\t\t..." and the reply
# is cut off (finish_reason=length).  Pinning the separators forces compact JSON.
_COMPACT_JSON = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": "}


class EmbeddedRuntimeError(RuntimeError):
    """The embedded runtime could not start or is not running."""


class EmbeddedChatOpenAI(ChatOpenAI):
    """ChatOpenAI talking to the in-process llama.cpp server.

    The only change: json_schema response formats get compact-whitespace LLGuidance
    options (see _COMPACT_JSON); the caller's schema object is never mutated.
    """

    def _get_request_payload(
        self,
        input_: LanguageModelInput,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        return compact_json_schema_payload(payload)


def compact_json_schema_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Return ``payload`` with compact-JSON LLGuidance options added to its schema."""
    fmt = payload.get("response_format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return payload
    schema = (fmt.get("json_schema") or {}).get("schema")
    if not isinstance(schema, dict) or "x-guidance" in schema:
        return payload
    fmt = copy.deepcopy(fmt)
    fmt["json_schema"]["schema"]["x-guidance"] = dict(_COMPACT_JSON)
    return {**payload, "response_format": fmt}


class EmbeddedRuntime:
    """One llama.cpp server holding one model, shared by every chat model we hand out."""

    def __init__(
        self,
        model_path: Path,
        *,
        threads: int,
        context_tokens: int,
        parallel: int = 1,
        verbosity: int = 0,
        cache_ram_mib: int = 256,
        runtime: str | None = None,
        speculative: str | None = None,
        draft_max: int = 16,
    ) -> None:
        if threads < 1 or context_tokens < 256 or parallel < 1:
            raise ValueError("threads and parallel must be >= 1, context_tokens >= 256")
        self.model_path = Path(model_path)
        self.threads = threads
        self.context_tokens = context_tokens
        self.parallel = parallel
        # 0 keeps llama.cpp quiet; 3 is llama-server's chatty default (useful to debug).
        self.verbosity = verbosity
        # llama.cpp keeps the KV state of earlier prompts in host memory (8 GiB by default)
        # and restores the best match when a slot switches prompts, e.g. back from a summary
        # draft to a shopper reply.  ~28 KiB per token for the 1.5B model: 256 MiB holds
        # thousands of tokens while keeping the server well inside its memory budget.
        self.cache_ram_mib = cache_ram_mib
        # Which llama.cpp build to load (agent/llm/runtimes.py): None follows
        # TANDEM_LLM_RUNTIME (auto: this CPU's native build when there is one).
        self.runtime = runtime
        self.choice: RuntimeChoice | None = None  # what start() loaded
        # Self-speculative decoding from n-grams of the prompt, e.g. "ngram_simple" (None:
        # off; measured by bench/speculative.py, see README).
        self.speculative = speculative
        self.draft_max = draft_max
        self.load_seconds: float | None = None
        self._api_key = secrets.token_urlsafe(24)
        self._server: Any = None  # xllamacpp.Server; typed Any: the extension has no stubs
        self._base_url: str | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._server is not None

    @property
    def api_key(self) -> str:
        """Per-process key of the local server (for diagnostics such as the bench)."""
        return self._api_key

    @property
    def base_url(self) -> str:
        """OpenAI-compatible base URL, e.g. ``http://127.0.0.1:41234/v1``."""
        if self._base_url is None:
            raise EmbeddedRuntimeError("embedded runtime is not started")
        return self._base_url

    def start(self) -> None:
        """Load the model and start the server; later calls return at once."""
        if self._server is not None:
            return
        with self._lock:
            if self._server is not None:
                return
            if not self.model_path.is_file():
                raise EmbeddedRuntimeError(f"model file not found: {self.model_path}")
            try:
                xllamacpp, self.choice = import_xllamacpp(choose_runtime(self.runtime))
            except ImportError as exc:
                raise EmbeddedRuntimeError(
                    "xllamacpp is not installed; run `pip install -e '.[embedded]'`"
                ) from exc
            except (ValueError, RuntimeError) as exc:  # TANDEM_LLM_RUNTIME unusable
                raise EmbeddedRuntimeError(str(exc)) from exc
            started = time.perf_counter()
            server = xllamacpp.Server(self._params(xllamacpp))
            address = str(server.listening_address).rstrip("/")
            if not address.startswith("http"):
                raise EmbeddedRuntimeError(f"llama.cpp server did not start: {address!r}")
            self._wait_for_main_loop(address)
            self.load_seconds = time.perf_counter() - started
            self._base_url = f"{address}/v1"
            self._server = server
            logger.info(
                "embedded model %s loaded in %.1fs on the %s runtime, serving on %s",
                self.model_path.name,
                self.load_seconds,
                self.choice.describe(),
                address,
            )

    def _wait_for_main_loop(self, address: str) -> None:
        """Block until llama.cpp's task loop has answered one request.

        xllamacpp's Server() returns just before its loop thread enters start_loop();
        destroying the Server in that window (terminate() before start_loop() sets
        running=true) leaves the loop waiting forever and the process hangs on exit.
        A /metrics round trip goes through the task queue, so once it answers the loop
        is running and stop() is safe.  The generous timeout covers busy machines.
        """
        resp = httpx.get(
            f"{address}/metrics",
            headers={"Authorization": f"Bearer {self._api_key}"},
            timeout=120.0,
        )
        if resp.status_code != 200:
            raise EmbeddedRuntimeError(
                f"llama.cpp server not answering: /metrics -> {resp.status_code} {resp.text[:200]}"
            )

    def _params(self, xllamacpp: Any) -> Any:
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.hostnames = ["127.0.0.1"]  # never reachable from outside the host
        params.port = 0  # ephemeral: several processes (tests, workers) can coexist
        params.api_keys = [self._api_key]  # other local users can't borrow the model
        params.n_ctx = self.context_tokens
        params.n_parallel = self.parallel
        # Unified KV: with parallel > 1 each slot may still use the whole context
        # instead of context_tokens / parallel.
        params.kv_unified = self.parallel > 1
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        # Read the weights into memory instead of mapping the file: llama.cpp repacks most
        # of them for the CPU's SIMD kernels anyway, and a mapping would keep the original
        # pages resident beside the repacked copy (measured: 1.9 GB instead of 1.3 GB for the
        # 1.5B model, at the same speed; `tandem bench` reports it).
        params.load_mode = xllamacpp.llama_load_mode.LLAMA_LOAD_MODE_NONE
        params.cache_prompt = True  # reuse the KV of the shared system-prompt prefix
        params.cache_ram_mib = self.cache_ram_mib
        params.ui = False
        params.endpoint_metrics = True  # readiness probe; see _wait_for_main_loop
        params.verbosity = self.verbosity
        if self.speculative:
            kind = f"COMMON_SPECULATIVE_TYPE_{self.speculative.upper()}"
            params.speculative.types = [getattr(xllamacpp.common_speculative_type, kind)]
            params.speculative.draft.n_max = self.draft_max
        return params

    def chat_model(
        self, *, max_tokens: int, timeout_s: float, temperature: float = 0.2
    ) -> BaseChatModel:
        """A LangChain chat model backed by this runtime (starts it if needed)."""
        self.start()
        return EmbeddedChatOpenAI(
            model=self.model_path.stem,  # the server ignores it; it shows up in traces
            base_url=self.base_url,
            api_key=SecretStr(self._api_key),
            max_tokens=max_tokens,  # pydantic alias of max_completion_tokens
            temperature=temperature,
            timeout=timeout_s,
            # A local server that timed out is busy; retrying only doubles the wait.
            max_retries=0,
            # Asks for a final usage chunk when streaming, so token counts are logged.
            stream_usage=True,
            extra_body={"cache_prompt": True},
            # A client of its own: langchain-openai otherwise shares one cached async client
            # per (base URL, timeout) across every model in the process, and a client whose
            # event loop has closed (another test, an `asyncio.run` in a command) fails every
            # later call with "Event loop is closed".
            http_async_client=httpx.AsyncClient(timeout=timeout_s),
        )

    def warm_up(self, system_prompt: str | None = None) -> float:
        """Run one tiny generation so the first shopper turn pays no first-call costs.

        Given the replies' static system prompt, the prompt cache then holds it, so even
        the first shopper turn evaluates only its own facts.  Returns the seconds taken.
        """
        started = time.perf_counter()
        model = self.chat_model(max_tokens=1, timeout_s=120.0, temperature=0.0)
        model.invoke([("system", system_prompt), ("user", "Hi")] if system_prompt else "Hi")
        seconds = time.perf_counter() - started
        logger.info("embedded model warmed up in %.1fs", seconds)
        return seconds

    def stop(self) -> None:
        """Shut the server down and free the model's memory."""
        with self._lock:
            server, self._server, self._base_url = self._server, None, None
        # Dropping the last reference runs ~Server, which joins llama.cpp's threads.
        del server


_runtime: EmbeddedRuntime | None = None
_runtime_lock = threading.Lock()


def get_runtime(model_path: Path, threads: int, context_tokens: int) -> EmbeddedRuntime:
    """The process-wide runtime (created, not started, on first call).

    One model per process: a second model would double the ~1-2 GB footprint, so asking
    for a different configuration than the cached one is an error, not a reload.
    """
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = EmbeddedRuntime(
                Path(model_path), threads=threads, context_tokens=context_tokens
            )
            # Stop explicitly at exit: tearing the server down during interpreter
            # finalisation (module globals being cleared) is less predictable.
            atexit.register(_runtime.stop)
        elif (
            _runtime.model_path != Path(model_path)
            or _runtime.threads != threads
            or _runtime.context_tokens != context_tokens
        ):
            raise EmbeddedRuntimeError(
                "the embedded runtime is already configured with "
                f"{_runtime.model_path} threads={_runtime.threads} "
                f"context={_runtime.context_tokens}; one model per process"
            )
        return _runtime
