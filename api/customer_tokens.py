"""Signed customer tokens: how the storefront tells Tandem which customer is signed in.

Format (documented in docs/privacy.md): `<payload>.<signature>`, where `payload` is the
unpadded base64url encoding of the JSON object `{"customer_id": "C10001", "exp": 1767225600}`
(`exp` in Unix seconds) and `signature` is the unpadded base64url HMAC-SHA256 of the
`payload` text under `TANDEM_CUSTOMER_TOKEN_SECRET`.  Any language can mint one in a few
lines; `tandem customer-token CUSTOMER_ID` mints one for demos.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

DEFAULT_TTL_S = 3600
MAX_TOKEN_CHARS = 1024


class CustomerTokenError(ValueError):
    """The token is malformed, wrongly signed or expired; the message says which."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def mint_customer_token(secret: str, customer_id: str, *, ttl_s: int = DEFAULT_TTL_S,
                        now: float | None = None) -> str:
    """A token saying `customer_id` is signed in, valid for `ttl_s` seconds."""
    exp = int((time.time() if now is None else now) + ttl_s)
    payload = _b64(json.dumps({"customer_id": customer_id, "exp": exp},
                              separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def read_customer_token(secret: str, token: str, *, now: float | None = None) -> str:
    """The signed-in customer's id; raises `CustomerTokenError` with the reason otherwise."""
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise CustomerTokenError("the customer token is malformed")
    payload, signature = token.split(".")
    if not hmac.compare_digest(_sign(secret, payload), signature):
        raise CustomerTokenError("the customer token's signature is not valid")
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CustomerTokenError("the customer token is malformed") from exc
    customer_id, exp = (data.get("customer_id"), data.get("exp")) if isinstance(data, dict) \
        else (None, None)
    if not isinstance(customer_id, str) or not customer_id or not isinstance(exp, int | float):
        raise CustomerTokenError("the customer token needs a customer_id and an exp")
    if exp <= (time.time() if now is None else now):
        raise CustomerTokenError("the customer token has expired; sign in again")
    return customer_id
