"""Prompt templates: Jinja2 files in `prompts/`, loaded by name.  No prompt text in Python.

Reply templates are written in English with each sentence wrapped in `_("...")`; a render
in another language looks each sentence up in `prompts/translations/<language>.yaml`
(English sentence -> translation).  A sentence without a translation, or a language
without a file, stays English.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

_MESSAGE = re.compile(r'\b_\("((?:[^"\\]|\\.)*)"')
_PLURAL = re.compile(r'\bngettext\("((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"')


class PromptLibrary:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._envs: dict[str, Environment] = {}
        self._speaks: dict[str, bool] = {}

    def translations(self, language: str) -> dict[str, str]:
        """English sentence -> the language's sentence (empty for English or no file)."""
        path = self.directory / "translations" / f"{language}.yaml"
        if language == "en" or not path.is_file():
            return {}
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {str(k): str(v) for k, v in data.items()}

    def speaks(self, language: str) -> bool:
        """Whether the templates' sentences are written in `language` (English, or a
        translation file for it); asked every turn, so the file is looked for once."""
        if language not in self._speaks:
            self._speaks[language] = language == "en" or (
                self.directory / "translations" / f"{language}.yaml").is_file()
        return self._speaks[language]

    def _env(self, language: str) -> Environment:
        if language not in self._envs:
            env = Environment(
                loader=FileSystemLoader(str(self.directory)), undefined=StrictUndefined,
                trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                autoescape=False,  # prompts are plain text for a model, never HTML
                extensions=["jinja2.ext.i18n"],
            )
            table = self.translations(language)

            def gettext(message: str) -> str:
                return table.get(message, message)

            def ngettext(singular: str, plural: str, n: int) -> str:
                return gettext(singular if n == 1 else plural)

            env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
            env.globals["language"] = language
            # Whether `_()` translates here: a line built in English outside the templates
            # (a size advice's "because") is then said in the template's own sentences.
            env.globals["translated"] = bool(table)
            self._envs[language] = env
        return self._envs[language]

    def render(self, name: str, language: str = "en", **values: Any) -> str:
        return self._env(language).get_template(f"{name}.j2").render(**values).strip()

    def messages(self, name: str) -> list[str]:
        """The English sentences a template asks to be translated: every `_("...")` and
        both forms of every `ngettext("...", "...")` (for the tests that keep the
        translation files complete)."""
        source = (self.directory / f"{name}.j2").read_text(encoding="utf-8")
        found = _MESSAGE.findall(source)
        found += [m for pair in _PLURAL.findall(source) for m in pair]
        return list(dict.fromkeys(found))


@lru_cache(maxsize=4)
def prompt_library(directory: Path) -> PromptLibrary:
    return PromptLibrary(directory)
