"""Whatever a client sends to Kinetic Task, the fake answers 2xx or ``{"message": ...}``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_fakeruns import FakeRuns
from tests._property import check_drawn

PARAMS = ["sourceGroup", "tree", "sourceId", "include", "limit", "offset"]
# (method, path, query names, JSON body field names) of every Kinetic route
ROUTES = [
    ("GET", "/app/api/v1/sources/Playground/runs", PARAMS, PARAMS),
    ("GET", "/app/api/v1/sources/Nope/runs", PARAMS, PARAMS),
    ("GET", "/app/api/v1/sources/Playground/runs/1", ["include"], ["include"]),
    ("GET", "/app/api/v1/sources/Playground/runs/abc", ["include"], ["include"]),
    ("GET", "/app/api/v1/sources/Playground/runs/99999999999999999999", [], []),
    (
        "POST",
        "/app/api/v1/run-tree/Playground/Documentation/My%20First%20Tree",
        ["sourceId"],
        ["Requester", "sourceId"],
    ),
    ("POST", "/app/api/v1/run-tree/Playground/Documentation/Nope", ["sourceId"], []),
    ("POST", "/app/api/v1/run-tree/Nope/G/T", [], []),
]
AUTH_VALUES = ["Basic dXNlcjpwYXNz", "Basic eDp5", "Basic", "Bearer t0k3n", ""]


def is_envelope(status: int, body: Any) -> bool:
    """Below 400 anything goes; an error is exactly ``{"message": <non-empty text>}``."""
    if status < 400:
        return True
    return (
        isinstance(body, dict)
        and list(body) == ["message"]
        and isinstance(body["message"], str)
        and bool(body["message"])
    )


@pytest.fixture(scope="module")
def fake() -> FakeRuns:
    """One fake for the whole property: Hypothesis runs every example in one test call."""
    fake = FakeRuns(seed=12)
    fake.kinetic.add_runs(
        20, source="Playground", source_group="Documentation", tree="My First Tree"
    )
    fake.kinetic.add_runs(5, source="Playground")
    return fake


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_kinetic_never_answers_5xx(fake: FakeRuns, data: st.DataObject) -> None:
    check_drawn(data, fake, "kinetic", ROUTES, AUTH_VALUES, is_envelope)
