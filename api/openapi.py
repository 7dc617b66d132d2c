"""The OpenAPI document: FastAPI's, with what every route shares written in once.

- 422 as the app really sends it (one readable `detail` sentence, then `errors`; see the
  handler in api/app.py), not FastAPI's default shape;
- on `/v1/`: 403 for a foreign browser origin and 429 for a rate limit (api/guards.py),
  400 for a body that is not JSON and 413 for one over the size limit on POST and PUT;
- 401 on every route that takes a bearer token, and 404 where the path names a
  conversation or a handoff (unknown ids and wrong tokens answer alike).

Schemathesis checks the running app against this document (tests/security/test_api_fuzz.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_ERROR = {"type": "object", "required": ["detail"], "title": "Error",
          "properties": {"detail": {"type": "string", "title": "Detail"}}}
_VALIDATION = {
    "type": "object", "required": ["detail", "errors"], "title": "HTTPValidationError",
    "properties": {
        "detail": {"type": "string", "title": "Detail",
                   "description": "The first problem, as one sentence"},
        "errors": {"type": "array", "title": "Errors", "items": {
            "type": "object", "properties": {
                "loc": {"type": "array", "items": {"anyOf": [{"type": "string"},
                                                             {"type": "integer"}]}},
                "msg": {"type": "string"}}}},
    },
}
_SHARED = {
    "403": "this browser origin may not use the API (TANDEM_ALLOWED_ORIGINS)",
    "429": "rate limited; wait `Retry-After` seconds",
}
_WRITES = {"400": "the request body is not valid JSON",
           "413": "the request body is over the size limit"}
_AUTH = {"401": "missing, unknown, ended or expired credentials"}
_NOT_FOUND = {"404": "no such conversation or handoff, or the token is not its own"}


def _documented(operation: dict[str, Any], codes: dict[str, str]) -> None:
    responses = operation.setdefault("responses", {})
    for code, description in codes.items():
        responses.setdefault(code, {"description": description, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version,
                         description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = _ERROR
    components["HTTPValidationError"] = _VALIDATION
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not path.startswith("/v1/"):
                continue
            _documented(operation, _SHARED)
            if method in ("post", "put", "patch"):
                _documented(operation, _WRITES)
            if operation.get("security"):
                _documented(operation, _AUTH)
            if "{conversation_id}" in path or "{handoff_id}" in path:
                _documented(operation, _NOT_FOUND)
    app.openapi_schema = schema
    return schema
