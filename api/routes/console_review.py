"""Console pages beyond the queue: flagged answers for prompt engineers, agent accounts, and
each agent's own password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.models import Handoff, SupportAgent
from api.routes._console import (
    AdminAgent,
    AdminFormAgent,
    ConsoleAgent,
    FormAgent,
    render,
    see_other,
)
from api.services import agent_accounts, answer_flags
from domain.tables import utcnow

router = APIRouter(prefix="/console", tags=["console"])


@router.post("/messages/{message_id}/flag", summary="Flag an assistant answer",
             description="Marks an assistant answer as wrong or unhelpful, with a reason, for "
                         "prompt engineers; only answers in conversations handed to a person "
                         "(400 otherwise). Returns to the handoff page it was flagged from.")
def flag_message(message_id: Annotated[int, Path(ge=1)], request: Request, agent: FormAgent,
                 session: SessionDep,
                 kind: Annotated[str, Form(max_length=16)] = "",
                 reason: Annotated[str, Form(max_length=5000)] = "",
                 handoff_id: Annotated[str, Form(max_length=36)] = "") -> Response:
    try:
        answer_flags.flag_answer(session=session, message_id=message_id, agent=agent,
                                 kind=kind, reason=reason)
    except answer_flags.FlagError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    handoff = session.get(Handoff, handoff_id) if handoff_id else None
    return see_other(f"/console/handoffs/{handoff.id}#m{message_id}" if handoff
                     else "/console/flags")


@router.get("/flags", response_class=HTMLResponse, summary="Flagged assistant answers",
            description="The newest flags first: the answer, its kind, the reason and who "
                        "flagged it, with a link to the export.")
def flags_page(request: Request, agent: ConsoleAgent, session: SessionDep) -> Response:
    return render(request, "flags.html",
                  {"agent": agent, "flags": answer_flags.list_flags(session=session)})


@router.get("/flags/export", summary="Download flags as eval cases (JSONL, admin)",
            description="One JSON object per line: the conversation turns before the flagged "
                        "answer, the answer with its suggestions, and the reason, with emails, "
                        "phone numbers, card numbers and addresses replaced by placeholders. "
                        "Admins only (403). Format: README, 'Flagged answers as eval cases'.")
def export_flags(agent: AdminAgent, session: SessionDep) -> Response:
    body = "".join(answer_flags.eval_cases_jsonl(session=session))
    name = f"tandem-flags-{utcnow():%Y%m%d-%H%M}.jsonl"
    return Response(body, media_type="application/x-ndjson", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/agents", response_class=HTMLResponse, summary="Support agents (admin)",
            description="Lists agents with when they were last active; admins only (403).")
def agents_page(request: Request, agent: AdminAgent, session: SessionDep) -> Response:
    return render(request, "agents.html", {
        "agent": agent, "agents": agent_accounts.list_agents(session=session), "error": None})


@router.post("/agents", summary="Add a support agent (admin)",
             description="Creates an agent with a scrypt-hashed password; admins only (403).")
def add_agent(request: Request, agent: AdminFormAgent, session: SessionDep,
              username: Annotated[str, Form(max_length=64)] = "",
              display_name: Annotated[str, Form(max_length=80)] = "",
              password: Annotated[str, Form(max_length=256)] = "",
              is_admin: Annotated[bool, Form()] = False) -> Response:
    try:
        agent_accounts.add_agent(session=session, username=username, display_name=display_name,
                                 password=password, is_admin=is_admin)
    except agent_accounts.AccountError as exc:
        return render(request, "agents.html", {
            "agent": agent, "agents": agent_accounts.list_agents(session=session),
            "error": str(exc)}, status_code=status.HTTP_400_BAD_REQUEST)
    return see_other("/console/agents")


@router.post("/agents/{agent_id}/disable", summary="Disable a support agent (admin)",
             description="Ends every session of the agent at once and refuses their sign-in "
                         "until enabled again; admins only (403).")
def disable_agent(agent_id: Annotated[int, Path(ge=1)], request: Request,
                  agent: AdminFormAgent, session: SessionDep) -> Response:
    return _set_disabled(request, agent, session, agent_id, disabled=True)


@router.post("/agents/{agent_id}/enable", summary="Enable a support agent again (admin)",
             description="They can sign in again (old sessions stay ended); admins only (403).")
def enable_agent(agent_id: Annotated[int, Path(ge=1)], request: Request,
                 agent: AdminFormAgent, session: SessionDep) -> Response:
    return _set_disabled(request, agent, session, agent_id, disabled=False)


def _set_disabled(request: Request, admin: SupportAgent, session: SessionDep, agent_id: int,
                  *, disabled: bool) -> Response:
    try:
        agent_accounts.set_disabled(session=session, admin=admin, agent_id=agent_id,
                                    disabled=disabled)
    except agent_accounts.AccountError as exc:
        return render(request, "agents.html", {
            "agent": admin, "agents": agent_accounts.list_agents(session=session),
            "error": str(exc)}, status_code=status.HTTP_400_BAD_REQUEST)
    return see_other("/console/agents")


@router.get("/password", response_class=HTMLResponse, summary="Change my password",
            description="The signed-in agent's own password form.")
def password_page(request: Request, agent: ConsoleAgent) -> Response:
    return render(request, "password.html", {"agent": agent, "error": None, "done": False})


@router.post("/password", summary="Change my password",
             description="Needs the current password; ends every other session of the agent "
                         "(console cookies and API tokens), this one stays signed in.")
def change_password(request: Request, agent: FormAgent, session: SessionDep,
                    current: Annotated[str, Form(max_length=256)] = "",
                    new: Annotated[str, Form(max_length=256)] = "",
                    confirm: Annotated[str, Form(max_length=256)] = "") -> Response:
    try:
        agent_accounts.change_password(session=session, agent=agent, current=current, new=new,
                                       confirm=confirm,
                                       keep_session=request.state.console_session.id)
    except agent_accounts.AccountError as exc:
        return render(request, "password.html", {"agent": agent, "error": str(exc),
                                                 "done": False},
                      status_code=status.HTTP_400_BAD_REQUEST)
    return render(request, "password.html", {"agent": agent, "error": None, "done": True})
