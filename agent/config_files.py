"""The YAML files people edit (store policy, eval thresholds), loaded into typed models, and
the regular expressions they hold checked, so a mistake fails at start-up with the file, the
field and the reason instead of misbehaving later."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def check_patterns(patterns: list[str], where: str = "") -> list[str]:
    """`patterns` unchanged when every one compiles; else a ValueError naming the bad one."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            prefix = f"{where}: " if where else ""
            raise ValueError(f"{prefix}pattern {pattern!r} is not a valid regex: {exc}") from exc
    return patterns


def load_validated(path: Path, model: type[ModelT], error: type[Exception]) -> ModelT:
    """The file as `model`, or `error` with the path, the field and the reason."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise error(f"{path}: {where}: {first['msg']}") from exc
