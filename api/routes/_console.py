"""Shared by the console's routers: page templates, the signed-in agent, CSRF checks.

Every console page depends on `ConsoleAgent` (no valid session cookie: redirect to the
sign-in page); every form post on `FormAgent` (also checks the CSRF token: 403 otherwise);
admin pages on `AdminAgent` (403 for other agents).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.deps import RuntimeDep, SessionDep
from api.models import SupportAgent
from api.services.agent_sessions import current_session
from api.services.console_auth import SESSION_COOKIE, csrf_ok, csrf_token
from api.services.staffing import record_activity
from api.settings import Settings
from domain.tables import utcnow

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "console"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _duration(seconds: int) -> str:
    """12 min, 3 h 05 min: compact enough for a queue cell."""
    minutes = abs(int(seconds)) // 60
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _money(value: Any) -> str:
    try:
        return f"${float(value):,.2f}"
    except (TypeError, ValueError):
        return "?"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


_env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_env.filters.update(duration=_duration, money=_money, when=_when)
templates = Jinja2Templates(env=_env)


def secret(settings: Settings) -> str:
    return settings.secret_key.get_secret_value()


def cookie_secure(settings: Settings) -> bool:
    """Secure cookies everywhere but a laptop demo served over plain http."""
    return settings.secure_cookies


def render(request: Request, name: str, context: dict[str, Any],
           status_code: int = status.HTTP_200_OK) -> HTMLResponse:
    runtime = request.app.state.runtime
    session = getattr(request.state, "console_session", None)
    base = {"csrf": csrf_token(secret(runtime.settings), session.id) if session else "",
            "refresh_s": runtime.settings.console_refresh_s, "now": utcnow(), "agent": None}
    response: HTMLResponse = templates.TemplateResponse(request, name, base | context,
                                                        status_code=status_code)
    # Pages show shoppers' words and agents' notes: never cache them, never frame them.
    response.headers.update({
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
                                   "style-src 'self'; frame-ancestors 'none'; form-action 'self'",
        "Referrer-Policy": "same-origin",
    })
    return response


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def safe_next(target: str | None) -> str:
    """Only ever redirect inside the console after sign-in (no open redirects)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


def get_console_agent(request: Request, session: SessionDep,
                      runtime: RuntimeDep) -> SupportAgent:
    """The signed-in agent; a redirect to the sign-in page when the session cookie is
    missing, ended (sign-out, password change, disabled), idle too long or too old."""
    found = current_session(session=session, settings=runtime.settings,
                            token=request.cookies.get(SESSION_COOKIE), kind="console")
    if found is None or found[1].id is None:
        target = request.url.path if request.method == "GET" else "/console"
        raise HTTPException(status.HTTP_303_SEE_OTHER, "sign in to use the console",
                            headers={"Location": f"/console/login?next={quote(target)}"})
    console, agent = found
    request.state.console_session = console
    record_activity(engine=runtime.engine, agent_id=agent.id)
    return agent


ConsoleAgent = Annotated[SupportAgent, Depends(get_console_agent)]


def check_csrf(request: Request, agent: ConsoleAgent, runtime: RuntimeDep,
               csrf_token: Annotated[str, Form()] = "") -> SupportAgent:
    console = request.state.console_session
    if not csrf_ok(secret(runtime.settings), console.id, csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "the form's security token is missing or stale; reload the page")
    return agent


FormAgent = Annotated[SupportAgent, Depends(check_csrf)]


def require_admin(agent: ConsoleAgent) -> SupportAgent:
    if not agent.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin can manage agents")
    return agent


def require_admin_form(agent: FormAgent) -> SupportAgent:
    return require_admin(agent)


AdminAgent = Annotated[SupportAgent, Depends(require_admin)]
AdminFormAgent = Annotated[SupportAgent, Depends(require_admin_form)]
