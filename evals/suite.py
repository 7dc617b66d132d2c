"""Eval suites: YAML files of named cases, checked against the published JSON schema.

An invalid suite fails with the file, the line and the reason (`SuiteError`), before any
model is loaded.  The schema file is generated from the models here
(`python -m evals.write_schemas`), and a test keeps the published copy in step.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.expectations import CaseExpect, TurnExpect

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "suite.schema.json"


class SuiteError(ValueError):
    """The suite file is missing, not YAML, or does not match the schema; names the line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StockChange(_Strict):
    variant_id: str
    quantity: int = Field(ge=0, description="units at every location that stocks it")


class CaseSetup(_Strict):
    personalization: bool = True
    customer: str | None = Field(default=None,
                                 description="email of a signed-in customer in the store")
    stock: list[StockChange] = Field(default_factory=list,
                                     description="stock changes before the first turn")


class Turn(_Strict):
    say: str = Field(min_length=1)
    personalization: bool | None = Field(
        default=None, description="switch personalisation on or off before this turn")
    expect: TurnExpect = Field(default_factory=TurnExpect)


class Case(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    known_failure: str | None = Field(
        default=None, description="why the current assistant fails this case (kept, reported)")
    setup: CaseSetup = Field(default_factory=CaseSetup)
    turns: list[Turn] = Field(min_length=1)
    expect: CaseExpect = Field(default_factory=CaseExpect)


class StoreFixture(_Strict):
    kind: Literal["demo", "tau_bench"] = "demo"
    seed: int = 7
    data: str | None = Field(default=None,
                             description="data folder, relative to the project root")


class Budgets(_Strict):
    max_turn_seconds: float | None = Field(default=None, gt=0)
    max_tokens_per_turn: int | None = Field(default=None, gt=0)


class Suite(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str | None = None
    store: StoreFixture = Field(default_factory=StoreFixture)
    budgets: Budgets = Field(default_factory=Budgets)
    cases: list[Case] = Field(min_length=1)


def suite_json_schema() -> dict[str, Any]:
    schema = Suite.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tandem.dev/schemas/eval-suite.schema.json"
    return schema


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping and sequence item (by id of the built object)."""


def _load_with_lines(text: str) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """The YAML document and a map from every path in it to its line (1-based)."""
    node = yaml.compose(text, Loader=_LineLoader)
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(n: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                walk(value, (*path, key.value))
                lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, (*path, i))

    if node is not None:
        walk(node, ())
    return yaml.load(text, Loader=_LineLoader), lines


def _line_for(lines: dict[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def load_suite(path: Path) -> Suite:
    """Read and validate a suite; raise `SuiteError` with file, line and reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SuiteError(f"{path}: suite file not found") from exc
    try:
        raw, lines = _load_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise SuiteError(f"{path} line {line}: not valid YAML: "
                         f"{getattr(exc, 'problem', exc)}") from exc
    errors = sorted(_validator().iter_errors(raw), key=lambda e: len(e.absolute_path))
    if errors:
        error = max(errors, key=lambda e: len(e.absolute_path))  # the most specific place
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at the unexpected key itself, not at the mapping that holds it.
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [k for k in error.instance if k not in known]
            where = (*where, extra[0]) if extra else where
        shown = ".".join(str(p) for p in where) or "(top level)"
        raise SuiteError(f"{path} line {_line_for(lines, where)}: {shown}: {error.message}")
    try:
        suite = Suite.model_validate(raw)
    except ValidationError as exc:  # the schema and the models should agree; be safe
        first = exc.errors()[0]
        where = tuple(first["loc"])
        raise SuiteError(f"{path} line {_line_for(lines, where)}: "
                         f"{'.'.join(map(str, where))}: {first['msg']}") from exc
    ids = [case.id for case in suite.cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        first_dup = ids.index(duplicates[0], ids.index(duplicates[0]) + 1)
        raise SuiteError(f"{path} line {_line_for(lines, ('cases', first_dup, 'id'))}: "
                         f"duplicate case ids: {', '.join(duplicates)}")
    return suite
