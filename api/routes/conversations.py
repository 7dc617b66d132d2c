"""Shopper-facing conversation routes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse

from api.customer_auth import CustomerTokenHeader, verified_customer
from api.deps import (
    RuntimeDep,
    SessionDep,
    ShopperConversation,
    TurnConversation,
    request_client,
)
from api.experiments.assignment import tag_conversation
from api.schemas import (
    ConversationCreate,
    ConversationCreated,
    MessageIn,
    PrivacyIn,
    PrivacyOut,
    TranscriptOut,
    TurnOut,
)
from api.services.contact import with_contact_offer
from api.services.conversations import create_conversation, set_personalization, transcript
from api.services.turns import TurnEvent, start_turn

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConversationCreated,
             summary="Start a conversation",
             description="Creates a conversation and returns its id and a bearer token. "
                         "The token is shown once; send it as `Authorization: Bearer`. "
                         "A signed-in shopper's storefront passes a signed customer token "
                         "(`customer_token` or the `X-Customer-Token` header): their own "
                         "orders then need no further proof. The token opens the conversation "
                         "until `expires_at`: TANDEM_CONVERSATION_TOKEN_HOURS, or the customer "
                         "token's expiry when that is sooner (the sign-in ends with it).",
             responses={401: {"description": "the customer token is invalid or expired"}})
def start_conversation(session: SessionDep, runtime: RuntimeDep,
                       body: ConversationCreate | None = None,
                       customer_token: CustomerTokenHeader = None) -> ConversationCreated:
    wanted = body.personalization if body and body.personalization is not None else None
    signed = (body.customer_token if body else None) or customer_token
    claims = verified_customer(runtime.settings, signed) if signed else None
    conversation, token = create_conversation(
        session=session,
        personalization=runtime.settings.personalization_default if wanted is None else wanted,
        source="default" if wanted is None else "api", claims=claims,
        lifetime_hours=runtime.settings.conversation_token_hours)
    if body and body.visitor_id:
        tag_conversation(session, conversation_id=conversation.id, visitor_id=body.visitor_id)
    session.commit()  # in this thread, before the response is serialised (api/deps.py)
    return ConversationCreated(id=conversation.id, token=token, signed_in=claims is not None,
                               expires_at=conversation.expires_at)


def _sse(event: str, data: dict[str, object]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


async def _turn_to_sse(events: asyncio.Queue[TurnEvent | None]) -> AsyncIterator[str]:
    """The turn's events as SSE; the queue always ends with `done` or `error`."""
    while (item := await events.get()) is not None:
        yield _sse(item.kind, item.data)


@router.post(
    "/{conversation_id}/messages", response_model=TurnOut,
    summary="Send a shopper message and get the reply",
    description="Runs one turn. With `Accept: text/event-stream` the reply streams as "
                "server-sent events (`token` events with partial text, then one `done` event "
                "with the full reply object). A `reset` event withdraws the text streamed so "
                "far (the model failed, or its reply stated what the store's facts did not); "
                "the tokens after it, and `done`, carry the reply that stands. The stream "
                "always ends with `done` or with `error` (`detail`, and the HTTP `status` it "
                "stands for). Resending the same `client_message_id` returns the first "
                "answer instead of starting a second turn; a message whose reply was lost (a "
                "crash, a database error, a shutdown) is answered then, once. Messages sent "
                "while a reply is being written wait for it and are answered in order.",
    responses={409: {"description": "the conversation's previous turn is still running "
                                    "after two minutes"},
               413: {"description": "message too long"},
               503: {"description": "the database is unavailable or the server is shutting "
                                    "down: send the same `client_message_id` again",
                     "headers": {"Retry-After": {"schema": {"type": "integer"}}}}},
)
async def send_message(conversation: TurnConversation, body: MessageIn, runtime: RuntimeDep,
                       request: Request, accept: Annotated[str, Header()] = "application/json"
                       ) -> TurnOut | StreamingResponse:
    limit = runtime.settings.max_message_chars
    text = body.text.strip()
    if not text:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the message is empty")
    if len(text) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            f"the message is {len(text)} characters; the limit is {limit}")
    if not runtime.accepting:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            "this server is shutting down; send the message again",
                            headers={"Retry-After": "1"})
    # The turn runs in its own task: a dropped connection does not cancel it (the reply is
    # still stored and pushed to the conversation's event stream), and a shutdown waits for it.
    events = start_turn(runtime, conversation_id=conversation.id, text=text,
                        client_message_id=body.client_message_id,
                        client_key=request_client(request, runtime.settings))
    if "text/event-stream" in accept:
        return StreamingResponse(_turn_to_sse(events), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache",
                                          "X-Accel-Buffering": "no"})
    while (event := await events.get()) is not None:
        if event.kind == "done":
            return TurnOut.model_validate(event.data)
        if event.kind == "error":
            code = int(event.data.get("status", 500))
            raise HTTPException(code, str(event.data["detail"]),
                                headers={"Retry-After": "2"} if code == 503 else None)
    raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "the turn ended without reply")


@router.get("/{conversation_id}", response_model=TranscriptOut,
            summary="Read the transcript",
            description="The conversation's messages (shopper, assistant, agent and system), "
                        "for the holder of its token only. `after` returns only newer messages. "
                        "`handoff.contact_wanted` says to offer the email form (nobody online).")
def read_conversation(conversation: ShopperConversation, session: SessionDep,
                      runtime: RuntimeDep,
                      after: Annotated[int | None, Query(ge=0)] = None) -> TranscriptOut:
    read = transcript(session=session, conversation=conversation, after=after)
    read.handoff = with_contact_offer(session=session, settings=runtime.settings,
                                      ref=read.handoff)
    return read


@router.put("/{conversation_id}/privacy", response_model=PrivacyOut,
            summary="Switch personalisation on or off",
            description="With personalisation off, no purchase history or profile is used. "
                        "Every change is recorded with its time and source.")
def update_privacy(conversation: ShopperConversation, body: PrivacyIn,
                   session: SessionDep) -> PrivacyOut:
    updated = set_personalization(session=session, conversation=conversation,
                                  enabled=body.personalization, source="api")
    session.commit()  # in this thread, before the response is serialised (api/deps.py)
    return PrivacyOut(personalization=updated.personalization)
