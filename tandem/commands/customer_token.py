"""`tandem customer-token CUSTOMER_ID`: mint a signed customer token (demos and tests).

A real storefront mints these itself with the shared secret; the format is in
docs/privacy.md.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.customer_tokens import DEFAULT_TTL_S, MAX_TTL_S, Scope, mint_customer_token
from api.settings import get_settings


def customer_token(
    customer_id: Annotated[str, typer.Argument(help="The store's customer id, e.g. C10001")],
    ttl: Annotated[int, typer.Option(
        min=1, max=MAX_TTL_S["chat"],
        help="Seconds until the token expires (a data token: at most 900)")] = DEFAULT_TTL_S,
    scope: Annotated[str, typer.Option(
        help="chat: start a signed-in conversation; data: export or erase the customer's "
             "data (GET/DELETE /v1/me/data)")] = "chat",
) -> None:
    """Print a customer token signed with TANDEM_CUSTOMER_TOKEN_SECRET (a signed-in shopper)."""
    if scope not in MAX_TTL_S:
        raise typer.BadParameter("chat or data", param_hint="--scope")
    if ttl > MAX_TTL_S[scope]:
        raise typer.BadParameter(f"a {scope} token lives at most {MAX_TTL_S[scope]} seconds",
                                 param_hint="--ttl")
    chosen: Scope = "data" if scope == "data" else "chat"
    secret = get_settings().customer_token_secret.get_secret_value()
    typer.echo(mint_customer_token(secret, customer_id, ttl_s=ttl, scope=chosen))
