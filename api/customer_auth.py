"""The signed-in customer, from a storefront-signed customer token (see api/customer_tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, HTTPException, status

from api.customer_tokens import CustomerTokenError, read_customer_token
from api.settings import Settings

CUSTOMER_TOKEN_HEADER = "X-Customer-Token"

CustomerTokenHeader = Annotated[
    str | None,
    Header(alias=CUSTOMER_TOKEN_HEADER, max_length=1024,
           description="A customer token signed by the storefront (docs/privacy.md)"),
]


def verified_customer(settings: Settings, token: str) -> str:
    """The customer id in `token`; 401 with the reason when it is invalid or expired."""
    try:
        return read_customer_token(settings.customer_token_secret.get_secret_value(), token)
    except CustomerTokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(exc),
                            headers={"WWW-Authenticate": "CustomerToken"}) from exc
