"""`tandem customer-token CUSTOMER_ID`: mint a signed customer token (demos and tests).

A real storefront mints these itself with the shared secret; the format is in
docs/privacy.md.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.customer_tokens import DEFAULT_TTL_S, mint_customer_token
from api.settings import get_settings


def customer_token(
    customer_id: Annotated[str, typer.Argument(help="The store's customer id, e.g. C10001")],
    ttl: Annotated[int, typer.Option(min=1, help="Seconds until the token expires")] =
        DEFAULT_TTL_S,
) -> None:
    """Print a customer token signed with TANDEM_CUSTOMER_TOKEN_SECRET (a signed-in shopper)."""
    secret = get_settings().customer_token_secret.get_secret_value()
    typer.echo(mint_customer_token(secret, customer_id, ttl_s=ttl))
