"""Console sign-in state: a signed session cookie and CSRF tokens bound to it.

The session cookie holds the agent id, a random session id and a fingerprint of the
agent's password hash (so changing a password ends every old session), signed with the
settings' secret key.  A form's CSRF token is an HMAC of the session id: a page from
another site can neither read it nor forge it.  Before sign-in, the login form's token is
bound the same way to a random nonce in a short-lived cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api.models import SupportAgent
from api.security import AGENT_SESSION_MAX_AGE_S

SESSION_COOKIE = "tandem_console"
LOGIN_COOKIE = "tandem_console_login"
LOGIN_MAX_AGE_S = 3600


@dataclass(frozen=True)
class ConsoleSession:
    agent_id: int
    session_id: str
    password_mark: str


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="tandem-console-session")


def password_mark(agent: SupportAgent) -> str:
    return hashlib.sha256(agent.password_hash.encode()).hexdigest()[:16]


def issue_session(secret: str, agent: SupportAgent) -> str:
    assert agent.id is not None
    return _serializer(secret).dumps(
        {"a": agent.id, "s": secrets.token_urlsafe(16), "p": password_mark(agent)})


def read_session(secret: str, cookie: str | None) -> ConsoleSession | None:
    if not cookie:
        return None
    try:
        data = _serializer(secret).loads(cookie, max_age=AGENT_SESSION_MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    agent_id, session_id, mark = data.get("a"), data.get("s"), data.get("p")
    if not (isinstance(agent_id, int) and isinstance(session_id, str) and isinstance(mark, str)):
        return None
    return ConsoleSession(agent_id=agent_id, session_id=session_id, password_mark=mark)


def csrf_token(secret: str, binding: str) -> str:
    """The token forms must echo: bound to the session id (or the login nonce)."""
    return hmac.new(secret.encode(), f"console-csrf:{binding}".encode(),
                    hashlib.sha256).hexdigest()


def csrf_ok(secret: str, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, binding), token)


def new_login_nonce() -> str:
    return secrets.token_urlsafe(16)
