"""Signed customer tokens: how the storefront tells Tandem which customer is signed in.

Format (documented in docs/privacy.md): `<payload>.<signature>`, where `payload` is the
unpadded base64url encoding of the JSON object
`{"customer_id": "C10001", "exp": 1767225600, "scope": "chat"}` (`exp` in whole Unix
seconds; `scope` optional, `chat` by default) and `signature` is the unpadded base64url
HMAC-SHA256 of the `payload` text under `TANDEM_CUSTOMER_TOKEN_SECRET`.  Any language can
mint one in a few lines; `tandem customer-token CUSTOMER_ID` mints one for demos.

Two scopes, because the token that opens a chat sits in the shopper's browser:
- `chat` (at most `MAX_TTL_S[chat]` ahead) starts a signed-in conversation, which ends when
  the token expires;
- `data` (at most 15 minutes ahead) exports or erases everything of the customer
  (`/v1/me/data`): the storefront mints it right after the shopper asks, signed in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

DEFAULT_TTL_S = 3600
MAX_TOKEN_CHARS = 1024
Scope = Literal["chat", "data"]
SCOPES: tuple[str, ...] = get_args(Scope)
MAX_TTL_S: dict[str, int] = {"chat": 24 * 3600, "data": 15 * 60}
"""The furthest ahead `exp` may be, per scope: a token with no end is refused."""


class CustomerTokenError(ValueError):
    """The token is malformed, wrongly signed, expired, too long-lived or of the wrong
    scope; the message says which."""


@dataclass(frozen=True)
class CustomerClaims:
    customer_id: str
    expires_at: datetime
    scope: Scope


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def mint_customer_token(secret: str, customer_id: str, *, ttl_s: int = DEFAULT_TTL_S,
                        scope: Scope = "chat", now: float | None = None) -> str:
    """A token saying `customer_id` is signed in, valid for `ttl_s` seconds."""
    exp = int((time.time() if now is None else now) + ttl_s)
    payload = _b64(json.dumps({"customer_id": customer_id, "exp": exp, "scope": scope},
                              separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def read_customer_token(secret: str, token: str, *, scope: Scope = "chat",
                        now: float | None = None) -> CustomerClaims:
    """The signed-in customer's claims; raises `CustomerTokenError` with the reason
    otherwise (a token of another scope included)."""
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise CustomerTokenError("the customer token is malformed")
    payload, signature = token.split(".")
    # Compared as bytes: compare_digest raises on a str holding non-ASCII characters.
    if not hmac.compare_digest(_sign(secret, payload).encode(), signature.encode()):
        raise CustomerTokenError("the customer token's signature is not valid")
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CustomerTokenError("the customer token is malformed") from exc
    customer_id, exp, given = (data.get("customer_id"), data.get("exp"),
                               data.get("scope", "chat")) if isinstance(data, dict) \
        else (None, None, None)
    # Whole seconds only: a float lets in Infinity (json reads it) and NaN.
    if not isinstance(customer_id, str) or not customer_id or isinstance(exp, bool) \
            or not isinstance(exp, int):
        raise CustomerTokenError("the customer token needs a customer_id and an exp in whole "
                                 "seconds")
    if given not in SCOPES:
        raise CustomerTokenError(f"the customer token's scope is one of: {', '.join(SCOPES)}")
    now = time.time() if now is None else now
    if exp <= now:
        raise CustomerTokenError("the customer token has expired; sign in again")
    if exp - now > MAX_TTL_S[given]:
        raise CustomerTokenError(
            f"the customer token's exp is too far ahead: a {given} token lives at most "
            f"{MAX_TTL_S[given] // 60} minutes")
    if given != scope:
        raise CustomerTokenError(
            "this customer token opens conversations only; exporting or erasing a "
            "customer's data needs a token minted with scope \"data\"" if scope == "data"
            else f"a {given} token cannot start a conversation; mint one with scope \"chat\"")
    return CustomerClaims(customer_id=customer_id, scope=given,
                          expires_at=datetime.fromtimestamp(exp, UTC))
