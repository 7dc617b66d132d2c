"""The signed-in customer, from a storefront-signed customer token (see api/customer_tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, HTTPException, status

from api.customer_tokens import CustomerClaims, CustomerTokenError, Scope, read_customer_token
from api.settings import Settings

CUSTOMER_TOKEN_HEADER = "X-Customer-Token"

CustomerTokenHeader = Annotated[
    str | None,
    Header(alias=CUSTOMER_TOKEN_HEADER, max_length=1024,
           description="A customer token signed by the storefront (docs/privacy.md)"),
]


def verified_customer(settings: Settings, token: str, *, scope: Scope = "chat"
                      ) -> CustomerClaims:
    """The claims of `token` for `scope`; 401 with the reason when it is invalid, expired,
    too long-lived or of another scope."""
    try:
        return read_customer_token(settings.customer_token_secret.get_secret_value(), token,
                                   scope=scope)
    except CustomerTokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(exc),
                            headers={"WWW-Authenticate": "CustomerToken"}) from exc
