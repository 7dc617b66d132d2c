"""Typed configuration the agent is given by whoever runs it (the API, the evals, the bench).

The agent never reads environment variables or the web app's settings: `api/settings.py`
builds these from `TANDEM_*` and passes them in, so the agent can be run and tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Provider = Literal["embedded", "ollama", "openai", "scripted"]


@dataclass(frozen=True)
class LLMConfig:
    """Which chat model phrases replies, and the bounds on its work."""

    provider: Provider = "embedded"
    model: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"
    """Model name for ollama/openai; for embedded, the packaged model's name."""
    base_url: str | None = None
    """Base URL of an Ollama server or OpenAI-compatible endpoint."""
    api_key: str | None = None
    timeout_s: float = 30.0
    max_tokens: int = 160
    threads: int = 2
    context_tokens: int = 2048
    model_dir: Path = Path("var/models")
    """Where the embedded model's GGUF file is assembled from its PyPI chunks."""
    max_concurrent: int | None = None
    """Generations at once; None: the provider's default; 0: unbounded."""
    queue_max: int = 4
    """Turns that may wait for a generation slot."""
    queue_wait_s: float = 1.5
    """Longest a turn waits for a generation slot (then the template answers: the first
    token stays under 2 s however many shoppers ask; bench/load_capacity.py)."""
    redact_hosted: bool = True
    """Redact personal data before a hosted provider sees it."""
