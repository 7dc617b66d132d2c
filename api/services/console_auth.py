"""Console sign-in state: the session cookie and the CSRF tokens bound to the session.

The session cookie holds a random token whose hash names a server-side `AgentSession`
(api/services/agent_sessions.py), so signing out, a password change or disabling the agent
ends it at once.  A form's CSRF token is an HMAC of the session's id (a second random value,
never sent as a cookie): a page from another site can neither read it nor forge it.  Before
sign-in, the login form's token is bound the same way to a random nonce in a short-lived
cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from api.security import same_text

SESSION_COOKIE = "tandem_console"
LOGIN_COOKIE = "tandem_console_login"
LOGIN_MAX_AGE_S = 3600


def csrf_token(secret: str, binding: str) -> str:
    """The token forms must echo: bound to the session id (or the login nonce)."""
    return hmac.new(secret.encode(), f"console-csrf:{binding}".encode(),
                    hashlib.sha256).hexdigest()


def csrf_ok(secret: str, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return same_text(csrf_token(secret, binding), token)


def new_login_nonce() -> str:
    return secrets.token_urlsafe(16)
