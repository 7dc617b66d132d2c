"""Secrets handling: shopper tokens, agent passwords and agent sessions.

Shopper tokens are random and stored only as a SHA-256 hash.  Agent passwords use scrypt
with a per-password salt.  Agent sessions are signed with the settings' secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

AGENT_SESSION_MAX_AGE_S = 12 * 3600
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)  # type: ignore[arg-type]
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)  # type: ignore[arg-type]
    return hmac.compare_digest(digest.hex(), digest_hex)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="tandem-agent-session")


def issue_agent_token(secret: str, agent_id: int) -> str:
    return _serializer(secret).dumps({"agent_id": agent_id})


def read_agent_token(secret: str, token: str) -> int | None:
    try:
        data = _serializer(secret).loads(token, max_age=AGENT_SESSION_MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return None
    agent_id = data.get("agent_id") if isinstance(data, dict) else None
    return agent_id if isinstance(agent_id, int) else None
