"""Schemathesis against the app's own OpenAPI schema: generated requests to every operation
(bounded: `EXAMPLES` per operation) get no 5xx and answers that match the schema.

The app runs for real under uvicorn (tests/browser/harness.py: a fresh SQLite demo store,
the scripted model), so a request goes through the guards, routing, validation and the
database exactly as a client's would.  The schema is built from the app object
(`create_app(...).openapi()`), as production serves none.  Run alone with
`pytest -m schemathesis -s` (it prints how many requests it sent).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from tests.browser.harness import LiveServer, live_server
from tests.conftest import make_settings

EXAMPLES = 15
SENT: list[int] = [0]

pytestmark = pytest.mark.schemathesis


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # No rate limits: generated requests come fast, and a 429 would hide what they test.
    with live_server(tmp_path_factory.mktemp("fuzz"), TANDEM_RATE_LIMIT_IP_PER_MINUTE="0",
                     TANDEM_RATE_LIMIT_CONVERSATION_PER_MINUTE="0") as running:
        yield running
    print(f"\nschemathesis sent {SENT[0]} requests")


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[requests.Session]:
    session = requests.Session()

    def count(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        SENT[0] += 1

    session.hooks["response"].append(count)
    yield session
    session.close()


# Built from the app object at import (no database is opened until the app's lifespan runs).
schema = schemathesis.openapi.from_dict(
    create_app(make_settings(database_url="sqlite:///:memory:")).openapi())
# A body over the size limit is refused before it is parsed (413), the way a request that
# breaks the schema should be: count it as rejected, as a 400 or 422 is.
schema.config.checks.negative_data_rejection.expected_statuses = [
    *schema.config.checks.negative_data_rejection.expected_statuses, "413"]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_generated_requests_get_no_5xx_and_match_the_schema(
        case: Any, server: LiveServer, http: requests.Session) -> None:
    if case.path.startswith("/console"):
        # The console's pages and form posts answer in HTML and redirects, not the JSON the
        # schema describes: for them, the check that matters is no server error.
        case.call_and_validate(base_url=server.url, session=http, checks=[not_a_server_error])
        return
    case.call_and_validate(base_url=server.url, session=http)
