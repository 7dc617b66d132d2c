"""The shopper's own data: export it, or erase it (`/v1/me/data`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response, status

from api.customer_auth import CustomerTokenHeader, verified_customer
from api.db import session_scope
from api.deps import BearerDep, RuntimeDep
from api.models import Conversation
from api.runtime import TandemRuntime
from api.schemas import ErasureReceipt, ShopperDataOut
from api.services.erasure import (
    customer_conversation_ids,
    erase_conversations,
    erase_customer,
    forget_threads,
)
from api.services.shopper_data import (
    conversation_by_token,
    export_conversation,
    export_customer,
)
from domain.tables import utcnow

router = APIRouter(prefix="/v1/me", tags=["privacy"])
_AUTH = {401: {"description": "no open conversation token, or no valid customer token of "
                             "scope data"}}


@dataclass(frozen=True)
class DataSubject:
    """Whose data a request may see: one conversation, or everything of one customer."""

    conversation_id: str | None = None
    customer_id: str | None = None


def get_subject(credentials: BearerDep, runtime: RuntimeDep,
                customer_token: CustomerTokenHeader = None) -> DataSubject:
    if customer_token:
        # A `data` token, not the `chat` one that sits in the browser all session.
        claims = verified_customer(runtime.settings, customer_token, scope="data")
        return DataSubject(customer_id=claims.customer_id)
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"},
                            detail="send the conversation's token (Authorization: Bearer) or a "
                                   "signed-in customer's token (X-Customer-Token)")
    with session_scope(runtime.engine) as session:
        conversation = conversation_by_token(session=session, token=credentials.credentials)
    if conversation is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"},
                            detail="no conversation holds this token (it may have been erased)")
    return DataSubject(conversation_id=conversation.id)


Subject = Annotated[DataSubject, Depends(get_subject)]


def _export(runtime: TandemRuntime, subject: DataSubject) -> dict[str, Any]:
    with session_scope(runtime.engine) as session:
        if subject.customer_id is not None:
            return export_customer(session=session, customer_id=subject.customer_id)
        conversation = session.get(Conversation, subject.conversation_id)
        if conversation is None:
            raise HTTPException(status.HTTP_410_GONE, "this conversation has been erased")
        return export_conversation(session=session, conversation=conversation)


@router.get("/data", response_model=ShopperDataOut, responses=_AUTH,
            summary="Export everything held about me",
            description="As JSON: with a conversation's token, that conversation (messages, "
                        "the evidence behind each suggestion, consent history, handoffs); with "
                        "a customer token of scope `data` (docs/privacy.md), everything of the "
                        "signed-in customer (profile, preferences, orders, fit feedback, every "
                        "conversation).")
async def export_my_data(subject: Subject, runtime: RuntimeDep) -> dict[str, Any]:
    return await asyncio.to_thread(_export, runtime, subject)


def _conversation_ids(runtime: TandemRuntime, subject: DataSubject) -> list[str]:
    if subject.customer_id is None:
        return [subject.conversation_id or ""]
    with session_scope(runtime.engine) as session:
        return customer_conversation_ids(session, subject.customer_id)


def _erase_rows(runtime: TandemRuntime, subject: DataSubject) -> tuple[list[str], dict[str, int]]:
    with session_scope(runtime.engine) as session:
        if subject.customer_id is not None:
            ids, counts = erase_customer(session, subject.customer_id)
        else:
            ids = [subject.conversation_id or ""]
            counts = erase_conversations(session, ids)
    return ids, dict(counts)


@router.delete("/data", response_model=ErasureReceipt, responses=_AUTH,
               summary="Erase everything held about me",
               description="Deletes the graph's checkpoints, then the conversation(s) with "
                           "their messages, handoffs and cached summaries and consent history; "
                           "with a customer token of scope `data`, also the stored preferences, "
                           "fit feedback and the customer profile, "
                           "and the orders are unlinked from you (the store keeps anonymous "
                           "sales records). Returns a receipt. Afterwards the tokens open "
                           "nothing and a late message to an erased conversation gets 404.")
async def erase_my_data(subject: Subject, runtime: RuntimeDep) -> ErasureReceipt:
    # Checkpoints first: the rows are how they are found, so rows must never go while
    # checkpoints stay; then once more for one a running turn wrote meanwhile.
    saver = runtime.graph.checkpointer
    ids = await asyncio.to_thread(_conversation_ids, runtime, subject)
    threads = await forget_threads(saver, ids)  # type: ignore[arg-type]
    ids, counts = await asyncio.to_thread(_erase_rows, runtime, subject)
    await forget_threads(saver, ids)  # type: ignore[arg-type]
    return ErasureReceipt(erased_at=utcnow(), conversations=counts.get("conversation", 0),
                          scope="customer" if subject.customer_id else "conversation",
                          checkpoint_threads=threads, deleted=counts)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT,
               responses={401: {"description": "no open conversation token"}},
               summary="Sign out of this conversation",
               description="Ends the conversation token at once (the widget calls it from "
                           "`Tandem.signOut()` when the storefront signs the shopper out): on a "
                           "shared browser the next person cannot open the conversation or see "
                           "its orders. The support team keeps the conversation.")
async def end_my_session(credentials: BearerDep, runtime: RuntimeDep) -> Response:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"},
                            detail="send the conversation's token (Authorization: Bearer)")
    ended = await asyncio.to_thread(_end_token, runtime, credentials.credentials)
    if not ended:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"},
                            detail="no open conversation holds this token")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _end_token(runtime: TandemRuntime, token: str) -> bool:
    with session_scope(runtime.engine) as session:
        conversation = conversation_by_token(session=session, token=token)
        if conversation is None:
            return False
        conversation.expires_at = utcnow()
        session.add(conversation)
        return True
