"""Support agents' routes: sign in, the handoff queue, claim, reply, resolve, hand back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status

from api.deps import CurrentAgent, RuntimeDep, SessionDep, request_client
from api.models import Handoff
from api.schemas import AgentLogin, AgentReplyIn, AgentSession, HandoffOut, ResolveIn
from api.services import handoffs, verdicts
from api.services.agent_sessions import SignInRefused, end_session, sign_in
from api.services.handoffs import HandoffConflict

router = APIRouter(prefix="/v1/agent", tags=["support agents"])
HandoffId = Annotated[str, Path(min_length=1, max_length=36)]


@router.post("/login", response_model=AgentSession, summary="Sign in as a support agent",
             description="Exchanges a username and password for a bearer token naming a "
                         "server-side session: it ends on `POST /v1/agent/logout`, a password "
                         "change, disabling the agent, TANDEM_AGENT_IDLE_MINUTES unused or "
                         "TANDEM_AGENT_SESSION_HOURS. Repeated failures lock the username and "
                         "the client address out for longer each time (429 with Retry-After).",
             responses={401: {"description": "wrong username or password"},
                        429: {"description": "too many failed sign-ins; wait Retry-After"}})
def login(body: AgentLogin, request: Request, session: SessionDep,
          runtime: RuntimeDep) -> AgentSession:
    settings = runtime.settings
    try:
        signed = sign_in(session=session, settings=settings, username=body.username,
                         password=body.password, client=request_client(request, settings),
                         kind="api")
    except SignInRefused as exc:
        if exc.retry_after_s:
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(exc),
                                headers={"Retry-After": str(exc.retry_after_s)}) from exc
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from exc
    return AgentSession(token=signed.token, display_name=signed.agent.display_name)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out",
             description="Ends this bearer token's session: it opens nothing afterwards.",
             responses={401: {"description": "no live agent session"}})
def logout(agent: CurrentAgent, request: Request, session: SessionDep) -> Response:
    end_session(session=session, row=request.state.agent_session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/handoffs", response_model=list[HandoffOut], summary="The open handoff queue",
            description="Open and claimed handoffs, most urgent first, then longest waiting, "
                        "with the escalation reasons, mood and context summary.")
def list_handoffs(agent: CurrentAgent, session: SessionDep) -> list[HandoffOut]:
    return handoffs.open_handoffs(session=session)


def _conflict(exc: HandoffConflict) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


def _exists(session: SessionDep, handoff_id: str) -> None:
    if session.get(Handoff, handoff_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "handoff not found")


@router.post("/handoffs/{handoff_id}/claim", response_model=HandoffOut,
             summary="Claim a handoff",
             description="Of two agents claiming at once, exactly one wins; the other gets 409.")
def claim_handoff(handoff_id: HandoffId, agent: CurrentAgent, session: SessionDep) -> HandoffOut:
    _exists(session, handoff_id)
    try:
        handoff = handoffs.claim(session=session, handoff_id=handoff_id, agent=agent)
    except HandoffConflict as exc:
        raise _conflict(exc) from exc
    return handoffs.handoff_out(session, handoff)


@router.post("/handoffs/{handoff_id}/messages", status_code=status.HTTP_201_CREATED,
             summary="Reply to the shopper",
             description="Adds the agent's message to the conversation; the widget shows it "
                         "with the agent's display name.")
def reply_to_shopper(handoff_id: HandoffId, body: AgentReplyIn, agent: CurrentAgent,
                     session: SessionDep) -> dict[str, int]:
    _exists(session, handoff_id)
    try:
        message = handoffs.reply(session=session, handoff_id=handoff_id, agent=agent,
                                 text=body.text.strip())
    except HandoffConflict as exc:
        raise _conflict(exc) from exc
    return {"message_id": message.id or 0}


@router.post("/handoffs/{handoff_id}/resolve", response_model=HandoffOut,
             summary="Resolve a handoff",
             description="Closes the handoff with a reason; `needed_person` and "
                         "`last_answer_right` record the agent's verdict (labelled data for "
                         "`tandem retrain`).")
def resolve_handoff(handoff_id: HandoffId, body: ResolveIn, agent: CurrentAgent,
                    session: SessionDep) -> HandoffOut:
    _exists(session, handoff_id)
    try:
        handoff = handoffs.close(session=session, handoff_id=handoff_id, agent=agent,
                                 status="resolved", reason=body.reason)
    except HandoffConflict as exc:
        raise _conflict(exc) from exc
    if body.needed_person is not None:
        verdicts.record(session=session, handoff_id=handoff_id, agent=agent,
                        needed_person=body.needed_person,
                        last_answer_right=body.last_answer_right, source="api")
    return handoffs.handoff_out(session, handoff)


@router.post("/handoffs/{handoff_id}/hand-back", response_model=HandoffOut,
             summary="Hand the conversation back to the assistant",
             description="The assistant answers the shopper's next message again.")
def hand_back(handoff_id: HandoffId, agent: CurrentAgent, session: SessionDep) -> HandoffOut:
    _exists(session, handoff_id)
    try:
        handoff = handoffs.close(session=session, handoff_id=handoff_id, agent=agent,
                                 status="returned", reason=None)
    except HandoffConflict as exc:
        raise _conflict(exc) from exc
    return handoffs.handoff_out(session, handoff)
