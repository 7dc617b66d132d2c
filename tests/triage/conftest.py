"""The shipped escalation policy with its classifier, loaded once for the triage tests."""

from __future__ import annotations

import pytest

from agent.escalation import EscalationPolicy, load_policy
from evals.routing.validate import POLICY


@pytest.fixture(scope="session")
def policy() -> EscalationPolicy:
    return load_policy(POLICY)
