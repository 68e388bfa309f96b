"""Whatever a client sends to Coalesce, the fake answers 2xx or the Coalesce envelope."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_fakeruns import FakeRuns
from tests._property import check_drawn

# (method, path, query names, JSON body field names) of every Coalesce route
ROUTES = [
    (
        "GET",
        "/api/v1/runs",
        [
            "limit",
            "startingFrom",
            "orderBy",
            "orderByDirection",
            "runType",
            "runStatus",
            "environmentID",
            "detail",
        ],
        [],
    ),
    ("GET", "/api/v1/runs/1", [], []),
    ("GET", "/api/v1/runs/abc", [], []),
    ("POST", "/scheduler/startRun", [], ["runDetails", "userCredentials", "parameters"]),
    ("GET", "/scheduler/runStatus", ["runCounter"], []),
    ("POST", "/scheduler/cancelRun", [], ["runID", "orgID", "environmentID"]),
    ("POST", "/scheduler/rerun", [], ["runDetails", "userCredentials", "parameters"]),
]
AUTH_VALUES = ["Bearer t0k3n", "Basic eDp5", ""]


def is_envelope(status: int, body: Any) -> bool:
    """Below 400 anything goes; an error is exactly ``{"error": {errorString, errorDetail}}``."""
    if status < 400:
        return True
    if not isinstance(body, dict) or list(body) != ["error"]:
        return False
    error = body["error"]
    return (
        isinstance(error, dict)
        and list(error) == ["errorString", "errorDetail"]
        and all(isinstance(v, str) and v for v in error.values())
    )


@pytest.fixture(scope="module")
def fake() -> FakeRuns:
    """One fake for the whole property: Hypothesis runs every example in one test call."""
    fake = FakeRuns(seed=11)
    fake.coalesce.add_runs(20, environment_id="2")
    return fake


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_coalesce_never_answers_5xx(fake: FakeRuns, data: st.DataObject) -> None:
    check_drawn(data, fake, "coalesce", ROUTES, AUTH_VALUES, is_envelope)
