"""Push: the shopper's event stream and the console's, as server-sent events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from api.deps import RuntimeDep, SessionDep, ShopperConversation
from api.live.events import latest_event_id
from api.live.streams import event_stream
from api.routes._console import ConsoleAgent

router = APIRouter(tags=["events"])
_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
LastEventId = Annotated[int | None, Header(alias="Last-Event-ID", ge=0)]
After = Annotated[int | None, Query(ge=0, description="Same as the `Last-Event-ID` header, "
                                                      "for clients that cannot set it")]


@router.get(
    "/v1/conversations/{conversation_id}/events", summary="The conversation's live events",
    description="Server-sent events for the holder of the conversation's token: `message` "
                "(an assistant reply, an agent's message or a system note, in the "
                "transcript's shape) and `handoff` (`id`, `status`, `agent_name`). Each "
                "event's SSE `id` is its database sequence number: reconnect with "
                "`Last-Event-ID` (or `?after=`) to get what was missed; without either the "
                "stream starts with the conversation's kept events. Comment lines keep it "
                "open; it ends when the server shuts down (reconnect).",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}})
def conversation_events(conversation: ShopperConversation, runtime: RuntimeDep,
                        last_event_id: LastEventId = None,
                        after: After = None) -> StreamingResponse:
    start = last_event_id if last_event_id is not None else (after or 0)
    return StreamingResponse(
        event_stream(runtime.engine, runtime.bus, audience="shopper", after=start,
                     conversation_id=conversation.id),
        media_type="text/event-stream", headers=_SSE_HEADERS)


@router.get(
    "/console/events", summary="The console's live events",
    description="Server-sent events for a signed-in console agent: `queue` (a handoff "
                "opened, claimed or closed: `handoff_id`, `status`, `priority`, `agent_id`) "
                "and `message` (something new in an open handoff: `handoff_id`, "
                "`message_id`, `role`). Reconnect with `Last-Event-ID` to replay; a fresh "
                "stream starts at the newest event.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}})
def console_events(agent: ConsoleAgent, session: SessionDep, runtime: RuntimeDep,
                   last_event_id: LastEventId = None, after: After = None) -> StreamingResponse:
    start = last_event_id if last_event_id is not None else after
    if start is None:
        start = latest_event_id(session)
    return StreamingResponse(
        event_stream(runtime.engine, runtime.bus, audience="console", after=start),
        media_type="text/event-stream", headers=_SSE_HEADERS)
