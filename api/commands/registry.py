"""Imports every sub-command module so its commands register on the `tandem` app."""

from __future__ import annotations

from api.commands import (
    bench,  # noqa: F401  (tandem bench)
    customer_token,  # noqa: F401  (tandem customer-token)
    eval_route,  # noqa: F401  (tandem eval route)
    eval_sizing,  # noqa: F401  (tandem eval sizing)
    eval_suite,  # noqa: F401  (tandem eval run/score/compare/gate)
    import_store,  # noqa: F401  (tandem import)
    purge,  # noqa: F401  (tandem purge)
)
