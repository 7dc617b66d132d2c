"""The support agents' web console: sign in, the queue, and working one handoff.

Claim, reply, resolve and hand back call the same services as the JSON agent API
(`api.services.handoffs`), so both obey one set of rules (e.g. exactly one claim wins).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel

from api.deps import RuntimeDep, SessionDep, request_client
from api.models import Handoff
from api.routes._console import (
    STATIC_DIR,
    ConsoleAgent,
    FormAgent,
    cookie_secure,
    render,
    safe_next,
    secret,
    see_other,
)
from api.schemas import AgentReplyIn, ResolveIn
from api.services import console, handoffs, verdicts
from api.services.agent_sessions import SignInRefused, end_session, sign_in
from api.services.console_auth import (
    LOGIN_COOKIE,
    LOGIN_MAX_AGE_S,
    SESSION_COOKIE,
    csrf_ok,
    csrf_token,
    new_login_nonce,
)
from api.services.handoffs import HandoffConflict
from api.services.staffing import agents_online, is_open
from domain.tables import utcnow

router = APIRouter(prefix="/console", tags=["console"])
HandoffId = Annotated[str, Path(min_length=1, max_length=36)]


def _max_length(model: type[BaseModel], name: str) -> int:
    """The JSON API's length limit, so both doors to a handoff accept the same text."""
    return next(m.max_length for m in model.model_fields[name].metadata
                if getattr(m, "max_length", None))


MAX_REPLY = _max_length(AgentReplyIn, "text")
MAX_REASON = _max_length(ResolveIn, "reason")
ASSETS = {"console.js": "application/javascript", "console.css": "text/css"}


@router.get("/static/{name}", summary="Console script and style sheet",
            description="The console's only script and style sheet (no inline code: the "
                        "pages send a strict Content-Security-Policy).")
def console_asset(name: Annotated[str, Path(max_length=32)]) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such console asset")
    return FileResponse(STATIC_DIR / name, media_type=ASSETS[name],
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/login", response_class=HTMLResponse, summary="Console sign-in page",
            description="A username and password form, protected by a CSRF token bound to a "
                        "short-lived cookie.")
def login_page(request: Request, runtime: RuntimeDep,
               next: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    return _login_form(request, runtime, next_url=safe_next(next), error=None)


def _login_form(request: Request, runtime: RuntimeDep, *, next_url: str, error: str | None,
                status_code: int = status.HTTP_200_OK) -> Response:
    nonce = new_login_nonce()
    response = render(request, "login.html", {
        "csrf": csrf_token(secret(runtime.settings), nonce), "next_url": next_url,
        "error": error}, status_code=status_code)
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_MAX_AGE_S, path="/console",
                        httponly=True, samesite="strict", secure=cookie_secure(runtime.settings))
    return response


@router.post("/login", summary="Sign in to the console",
             description="Checks the password (scrypt hash) and sets an HttpOnly, "
                         "SameSite=Lax session cookie naming a server-side session, which ends "
                         "on sign-out, a password change, disabling the agent, "
                         "TANDEM_AGENT_IDLE_MINUTES unused or TANDEM_AGENT_SESSION_HOURS. "
                         "Repeated failures lock the username and the client address out for "
                         "longer each time (429).")
def login(request: Request, session: SessionDep, runtime: RuntimeDep,
          username: Annotated[str, Form(max_length=64)] = "",
          password: Annotated[str, Form(max_length=256)] = "",
          csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form(max_length=200)] = "/console") -> Response:
    settings = runtime.settings
    if not csrf_ok(secret(settings), request.cookies.get(LOGIN_COOKIE), csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "the sign-in form expired or came from another site; reload it")
    try:
        signed = sign_in(session=session, settings=settings, username=username,
                         password=password, client=request_client(request, settings),
                         kind="console")
    except SignInRefused as exc:
        page = _login_form(request, runtime, next_url=safe_next(next), error=str(exc),
                           status_code=status.HTTP_429_TOO_MANY_REQUESTS if exc.retry_after_s
                           else status.HTTP_401_UNAUTHORIZED)
        if exc.retry_after_s:
            page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    response = see_other(safe_next(next))
    # No max_age: a session cookie, gone when the browser closes; the server ends it anyway.
    response.set_cookie(SESSION_COOKIE, signed.token, path="/console", httponly=True,
                        samesite="lax", secure=cookie_secure(settings))
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@router.post("/logout", summary="Sign out",
             description="Ends the session on the server and clears its cookie: a copy of the "
                         "cookie opens nothing afterwards.")
def logout(request: Request, agent: FormAgent, session: SessionDep) -> Response:
    end_session(session=session, row=request.state.console_session)
    response = see_other("/console/login")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


def _queue_context(session: SessionDep, runtime: RuntimeDep) -> dict[str, object]:
    settings = runtime.settings
    return {"rows": console.queue(session=session, settings=settings),
            "online": agents_online(session=session,
                                    within_minutes=settings.agent_online_minutes),
            "open_now": is_open(settings, utcnow())}


@router.get("", response_class=HTMLResponse, summary="The handoff queue",
            description="Open and claimed handoffs, most urgent first, then longest waiting, "
                        "with the SLA clock, reason, mood and summary.")
def queue_page(request: Request, agent: ConsoleAgent, session: SessionDep,
               runtime: RuntimeDep) -> Response:
    return render(request, "queue.html", {"agent": agent} | _queue_context(session, runtime))


@router.get("/queue/rows", response_class=HTMLResponse, summary="The queue's rows (polled)",
            description="The queue table body alone; the page polls it to show new handoffs.")
def queue_rows(request: Request, agent: ConsoleAgent, session: SessionDep,
               runtime: RuntimeDep) -> Response:
    return render(request, "_queue_rows.html",
                  {"agent": agent} | _queue_context(session, runtime))


def _page(request: Request, session: SessionDep, runtime: RuntimeDep, agent: ConsoleAgent,
          handoff_id: str, *, error: str | None = None, draft: str | None = None,
          status_code: int = status.HTTP_200_OK, name: str = "handoff.html") -> Response:
    page = console.handoff_page(session=session, settings=runtime.settings,
                                handoff_id=handoff_id, agent=agent)
    if page is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "handoff not found")
    ai = page.handoff.summary.get("ai") or {}
    return render(request, name, {
        "agent": agent, "page": page, "error": error, "max_reply": MAX_REPLY,
        "max_reason": MAX_REASON,
        "draft": draft if draft is not None else ai.get("reply_draft", ""),
    }, status_code=status_code)


@router.get("/handoffs/{handoff_id}", response_class=HTMLResponse, summary="One handoff",
            description="The whole transcript with the assistant's suggestions, the summary, "
                        "notes, and the claim, reply, resolve and hand-back forms.")
def handoff_detail(handoff_id: HandoffId, request: Request, agent: ConsoleAgent,
                   session: SessionDep, runtime: RuntimeDep) -> Response:
    return _page(request, session, runtime, agent, handoff_id)


@router.get("/handoffs/{handoff_id}/transcript", response_class=HTMLResponse,
            summary="One handoff's transcript (polled)",
            description="The transcript alone; the page polls it to show new messages.")
def handoff_transcript(handoff_id: HandoffId, request: Request, agent: ConsoleAgent,
                       session: SessionDep, runtime: RuntimeDep) -> Response:
    return _page(request, session, runtime, agent, handoff_id, name="_transcript.html")


def _act(request: Request, session: SessionDep, runtime: RuntimeDep, agent: FormAgent,
         handoff_id: str, action: str, text: str) -> Response:
    """Run one handoff action; on a refusal show the page again with the reason."""
    if session.get(Handoff, handoff_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "handoff not found")
    text = text.strip()
    after = f"/console/handoffs/{handoff_id}"
    try:
        if action == "claim":
            handoffs.claim(session=session, handoff_id=handoff_id, agent=agent)
        elif action == "reply":
            if not text or len(text) > MAX_REPLY:
                raise console.ConsoleInputError(f"write a reply of 1 to {MAX_REPLY} characters")
            handoffs.reply(session=session, handoff_id=handoff_id, agent=agent, text=text)
        elif action == "note":
            console.add_note(session=session, handoff_id=handoff_id, agent=agent, text=text)
        elif action in ("resolve", "hand-back"):
            if action == "resolve" and (not text or len(text) > MAX_REASON):
                raise console.ConsoleInputError(f"give a reason of 1 to {MAX_REASON} characters")
            handoffs.close(session=session, handoff_id=handoff_id, agent=agent,
                           status="resolved" if action == "resolve" else "returned",
                           reason=text if action == "resolve" else None)
            after = "/console"
    except HandoffConflict as exc:
        return _page(request, session, runtime, agent, handoff_id, error=str(exc),
                     draft=text if action == "reply" else None,
                     status_code=status.HTTP_409_CONFLICT)
    except console.ConsoleInputError as exc:
        return _page(request, session, runtime, agent, handoff_id, error=str(exc),
                     draft=text if action == "reply" else None,
                     status_code=status.HTTP_400_BAD_REQUEST)
    return see_other(after)


TextField = Annotated[str, Form(max_length=5000)]


@router.post("/handoffs/{handoff_id}/claim", summary="Claim a handoff",
             description="Of two agents claiming at once, exactly one wins; the other sees "
                         "the page again with 409 and who has it.")
def claim(handoff_id: HandoffId, request: Request, agent: FormAgent, session: SessionDep,
          runtime: RuntimeDep) -> Response:
    return _act(request, session, runtime, agent, handoff_id, "claim", "")


@router.post("/handoffs/{handoff_id}/reply", summary="Reply to the shopper",
             description="Adds the agent's message to the conversation; the shopper's widget "
                         "shows it on its next poll. Only the agent who claimed may reply.")
def reply(handoff_id: HandoffId, request: Request, agent: FormAgent, session: SessionDep,
          runtime: RuntimeDep, text: TextField = "") -> Response:
    return _act(request, session, runtime, agent, handoff_id, "reply", text)


@router.post("/handoffs/{handoff_id}/notes", summary="Add an internal note",
             description="A note for the team only; the shopper never sees it.")
def add_note(handoff_id: HandoffId, request: Request, agent: FormAgent, session: SessionDep,
             runtime: RuntimeDep, text: TextField = "") -> Response:
    return _act(request, session, runtime, agent, handoff_id, "note", text)


@router.post("/handoffs/{handoff_id}/resolve", summary="Resolve with a reason",
             description="Closes the handoff; the reason is kept for the record. The button "
                        "clicked says whether it needed a person (`needed_person` yes/no) and "
                        "`last_answer` (right, wrong, none) judges the assistant's last "
                        "answer: labelled data for `tandem retrain`.")
def resolve(handoff_id: HandoffId, request: Request, agent: FormAgent, session: SessionDep,
            runtime: RuntimeDep, reason: TextField = "",
            needed_person: Annotated[str, Form(max_length=3)] = "",
            last_answer: Annotated[str, Form(max_length=5)] = "") -> Response:
    response = _act(request, session, runtime, agent, handoff_id, "resolve", reason)
    if response.status_code == status.HTTP_303_SEE_OTHER and needed_person in ("yes", "no"):
        verdicts.record(session=session, handoff_id=handoff_id, agent=agent,
                        needed_person=needed_person == "yes",
                        last_answer_right={"right": True, "wrong": False}.get(last_answer),
                        source="console")
    return response


@router.post("/handoffs/{handoff_id}/hand-back", summary="Hand back to the assistant",
             description="The assistant answers the shopper's next message again.")
def hand_back(handoff_id: HandoffId, request: Request, agent: FormAgent, session: SessionDep,
              runtime: RuntimeDep) -> Response:
    return _act(request, session, runtime, agent, handoff_id, "hand-back", "")
