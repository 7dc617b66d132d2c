"""Support agents' routes: sign in, the handoff queue, claim, reply, resolve, hand back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from api.deps import CurrentAgent, RuntimeDep, SessionDep
from api.schemas import AgentLogin, AgentReplyIn, AgentSession, HandoffOut, ResolveIn
from api.security import issue_agent_token
from api.services import handoffs, verdicts
from api.services.handoffs import HandoffConflict

router = APIRouter(prefix="/v1/agent", tags=["support agents"])
HandoffId = Annotated[str, Path(min_length=1, max_length=36)]


@router.post("/login", response_model=AgentSession, summary="Sign in as a support agent",
             description="Exchanges a username and password for a bearer token (12 hours).")
def login(body: AgentLogin, session: SessionDep, runtime: RuntimeDep) -> AgentSession:
    agent = handoffs.authenticate_agent(session=session, username=body.username,
                                        password=body.password)
    if agent is None or agent.id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    token = issue_agent_token(runtime.settings.secret_key.get_secret_value(), agent.id)
    return AgentSession(token=token, display_name=agent.display_name)


@router.get("/handoffs", response_model=list[HandoffOut], summary="The open handoff queue",
            description="Open and claimed handoffs, most urgent first, then longest waiting, "
                        "with the escalation reasons, mood and context summary.")
def list_handoffs(agent: CurrentAgent, session: SessionDep) -> list[HandoffOut]:
    return handoffs.open_handoffs(session=session)


def _conflict(exc: HandoffConflict) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


def _exists(session: SessionDep, handoff_id: str) -> None:
    from api.models import Handoff

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
