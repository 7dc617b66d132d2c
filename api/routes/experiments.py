"""Experiments on the storefront: which variant a visitor sees, and the outcome events the
retailer's server reports (README, "Experiments")."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, HTTPException, Query, status
from pydantic import BaseModel, Field, ValidationError

from api.deps import BearerDep, RuntimeDep, SessionDep
from api.experiments.assignment import assign
from api.experiments.events import MAX_BATCH, EventsAccepted, OutcomeEventIn, record_events
from api.models import VISITOR_ID_MAX

router = APIRouter(prefix="/v1", tags=["experiments"])
_EVENT_SCHEMA = OutcomeEventIn.model_json_schema()
VisitorId = Annotated[str, Query(min_length=1, max_length=VISITOR_ID_MAX,
                                 pattern=r"^[\w.:@-]+$",
                                 description="The storefront's id for this visitor (a "
                                             "first-party cookie or the customer id)")]


class Assignments(BaseModel):
    experiments: dict[str, str] = Field(
        description="experiment name -> the visitor's variant, for every running experiment")
    assistant: bool = Field(
        description="whether to show the assistant: false when any experiment puts this "
                    "visitor in a variant without it (then offer a direct way to a person)")


@router.get("/assignments", response_model=Assignments, summary="The visitor's variants",
            description="The widget calls this first. The variant is a hash of the "
                        "experiment's name and the visitor id (the same answer on every call "
                        "and server); the first call records the exposure. With `assistant` "
                        "false the widget hides the assistant and offers to write to a person.")
def assignments(visitor_id: VisitorId, session: SessionDep) -> Assignments:
    chosen = assign(session, visitor_id)
    return Assignments(experiments={r.name: variant for r, variant in chosen},
                       assistant=all(r.definition.shows_assistant(v) for r, v in chosen))


def _storefront(runtime: RuntimeDep, credentials: BearerDep, origin: str | None) -> None:
    key = runtime.settings.storefront_key
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing storefront key",
                            headers={"WWW-Authenticate": "Bearer"})
    if key is None:
        # Off by configuration, not out of service: nothing here to retry later.
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            "outcome events are off: set TANDEM_STOREFRONT_KEY")
    if not hmac.compare_digest(credentials.credentials.encode(),
                               key.get_secret_value().encode()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong storefront key",
                            headers={"WWW-Authenticate": "Bearer"})
    if origin is not None:
        # A browser adds Origin to every POST: purchases must come from the retailer's server
        # (a key that reached a page is refused even when it is right).
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "send outcome events from your server, never from a browser")


@router.post("/events", response_model=EventsAccepted, summary="Report outcome events",
             description="From the retailer's server, with `Authorization: Bearer "
                         "<TANDEM_STOREFRONT_KEY>`: one event or a list of up to "
                         f"{MAX_BATCH}. `type` is add_to_cart (with `suggestion` when it came "
                         "from a suggestion card), purchase (`value`, `margin`), return "
                         "(`reason`) or csat (`score` 1-5, with `conversation_id` when it "
                         "rates a chat). Idempotent by `event_id`: a resend is counted as a "
                         "duplicate. A list is validated whole: one bad event rejects the "
                         "request (422, naming it) and nothing is stored.",
             responses={401: {"description": "wrong or missing storefront key"},
                        403: {"description": "sent from a browser (an Origin header)"},
                        422: {"description": "an event is invalid (named); nothing stored"},
                        404: {"description": "outcome events are off: TANDEM_STOREFRONT_KEY "
                                            "is not set"}},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"oneOf": [_EVENT_SCHEMA, {"type": "array", "items": _EVENT_SCHEMA,
                                                      "maxItems": MAX_BATCH}]}}}}})
def post_events(runtime: RuntimeDep, credentials: BearerDep, session: SessionDep,
                body: Annotated[Any, Body()],
                origin: Annotated[str | None, Header()] = None) -> EventsAccepted:
    _storefront(runtime, credentials, origin)
    raw = body if isinstance(body, list) else [body]
    if len(raw) > MAX_BATCH:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            f"{len(raw)} events in one request; send at most {MAX_BATCH}")
    accepted = record_events(session, [_parsed(i, item) for i, item in enumerate(raw)])
    session.commit()  # in this thread, before the response is serialised (api/deps.py)
    return accepted


def _parsed(index: int, item: Any) -> OutcomeEventIn:
    """One event, or 422 naming it (its index and id), the field and the reason."""
    try:
        return OutcomeEventIn.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        which = f"event {index}" + (f" ({item['event_id']!r})" if isinstance(item, dict)
                                    and isinstance(item.get("event_id"), str) else "")
        where = f"{which}: {field}" if field else which
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"{where}: {first['msg']}; nothing was stored") from exc
