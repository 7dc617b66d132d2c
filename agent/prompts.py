"""Prompt templates: Jinja2 files in `prompts/`, loaded by name.  No prompt text in Python."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined


class PromptLibrary:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._env = Environment(
            loader=FileSystemLoader(str(directory)), undefined=StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
            autoescape=False,  # prompts are plain text for a model, never HTML
        )

    def render(self, name: str, **values: Any) -> str:
        return self._env.get_template(f"{name}.j2").render(**values).strip()


@lru_cache(maxsize=4)
def prompt_library(directory: Path) -> PromptLibrary:
    return PromptLibrary(directory)
