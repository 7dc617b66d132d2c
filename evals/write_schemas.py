"""Write the published JSON schemas: `python -m evals.write_schemas` (suite and transcript)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.suite import SCHEMA_PATH, suite_json_schema
from evals.transcript import Transcript

TRANSCRIPT_SCHEMA_PATH = SCHEMA_PATH.with_name("transcript.schema.json")


def transcript_json_schema() -> dict[str, Any]:
    schema = Transcript.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tandem.dev/schemas/eval-transcript.schema.json"
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas() -> list[Path]:
    SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_PATH.write_text(render(suite_json_schema()), encoding="utf-8")
    TRANSCRIPT_SCHEMA_PATH.write_text(render(transcript_json_schema()), encoding="utf-8")
    return [SCHEMA_PATH, TRANSCRIPT_SCHEMA_PATH]


if __name__ == "__main__":
    for written in write_schemas():
        print(f"wrote {written}")
