"""Request dependencies as named `Annotated` types, so handlers read like sentences."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.db import session_scope
from api.models import Conversation, SupportAgent
from api.runtime import TandemRuntime
from api.security import client_key
from api.services.agent_sessions import current_session
from api.services.conversations import conversation_for_token
from api.settings import Settings

_bearer = HTTPBearer(auto_error=False)


def request_client(request: Request, settings: Settings) -> str | None:
    """The client's address as an opaque key, for failure counters.  It is the socket
    peer: behind a proxy, run uvicorn with --proxy-headers --forwarded-allow-ips=... so it
    is the shopper's or agent's address, not the proxy's (docs/security.md)."""
    if request.client is None:
        return None
    return client_key(settings.secret_key.get_secret_value(), request.client.host)


def get_runtime(request: Request) -> TandemRuntime:
    runtime: TandemRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[TandemRuntime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    with session_scope(runtime.engine) as session:
        yield session


# scope="function": commit before the response is sent.  With the default, FastAPI commits
# after sending it, so a shopper's next request could still read the old data (the browser
# tests caught a privacy switch that read back as unchanged).
# Shopper-facing sync routes that write also commit themselves before returning: FastAPI
# serialises a sync route's response in another thread from the same 40-thread pool, and
# only then runs this exit.  On SQLite a write holds the database's write lock until its
# commit, so with 40 requests waiting for that lock the holder never got a thread to
# serialise in: a burst of 50 new conversations failed after the 30 s busy timeout.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
ConversationId = Annotated[str, Path(min_length=1, max_length=36,
                                     description="The conversation's id")]


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": "Bearer"})


def _conversation_for(session: Session, conversation_id: str,
                      credentials: HTTPAuthorizationCredentials | None) -> Conversation:
    """The conversation whose token the shopper presented; 404 for unknown ids and wrong
    tokens alike, so ids cannot be probed."""
    if credentials is None:
        raise _unauthorised("missing bearer token for this conversation")
    conversation = conversation_for_token(session=session, conversation_id=conversation_id,
                                          token=credentials.credentials)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail="conversation not found, or the token is not its own")
    return conversation


def get_shopper_conversation(conversation_id: ConversationId, credentials: BearerDep,
                             session: SessionDep) -> Conversation:
    return _conversation_for(session, conversation_id, credentials)


def get_turn_conversation(conversation_id: ConversationId, credentials: BearerDep,
                          runtime: RuntimeDep) -> Conversation:
    """The shopper's conversation, read in a session of its own that is closed before the
    turn starts: a turn can run for many seconds, and a database connection held for all
    of it would run the pool dry when many shoppers chat at once."""
    with session_scope(runtime.engine) as session:
        conversation = _conversation_for(session, conversation_id, credentials)
        session.expunge(conversation)
        return conversation


ShopperConversation = Annotated[Conversation, Depends(get_shopper_conversation)]
TurnConversation = Annotated[Conversation, Depends(get_turn_conversation)]


def get_current_agent(request: Request, credentials: BearerDep, session: SessionDep,
                      runtime: RuntimeDep) -> SupportAgent:
    """The agent whose live API session the bearer token names (api/services/agent_sessions)."""
    if credentials is None:
        raise _unauthorised("support agents must sign in")
    found = current_session(session=session, settings=runtime.settings,
                            token=credentials.credentials, kind="api")
    if found is None:
        raise _unauthorised("the agent session is invalid, ended or expired; sign in again")
    request.state.agent_session = found[0]
    return found[1]


CurrentAgent = Annotated[SupportAgent, Depends(get_current_agent)]
