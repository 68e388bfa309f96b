from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from pytest_fakeruns import FakeRuns
from tests._property import bodies, check_never_5xx, headers, query_values

ROUTES = [
    ("GET", "/api/v1/runs", ["limit", "startingFrom", "orderBy", "orderByDirection", "runType",
                             "runStatus", "environmentID", "detail"], []),
    ("GET", "/api/v1/runs/1", [], []),
    ("GET", "/api/v1/runs/abc", [], []),
    ("POST", "/scheduler/startRun", [], ["runDetails", "userCredentials", "parameters"]),
    ("GET", "/scheduler/runStatus", ["runCounter"], []),
    ("POST", "/scheduler/cancelRun", [], ["runID", "orgID", "environmentID"]),
    ("POST", "/scheduler/rerun", [], ["runDetails", "userCredentials", "parameters"]),
]


def is_envelope(status: int, body: Any) -> bool:
    if status < 400:
        return True
    err = body.get("error") if isinstance(body, dict) else None
    return isinstance(err, dict) and isinstance(err.get("errorString"), str)


FAKE = FakeRuns(seed=11)
FAKE.coalesce.add_runs(20, environment_id="2")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=__import__("hypothesis").strategies.data())
def test_coalesce_never_answers_5xx(data: Any) -> None:
    method, path, names, fields = data.draw(
        __import__("hypothesis").strategies.sampled_from(ROUTES)
    )
    check_never_5xx(
        FAKE, "coalesce", method, path,
        data.draw(query_values(names)),
        data.draw(bodies(fields)),
        data.draw(headers(["Bearer t0k3n", "Basic eDp5", ""])),
        is_envelope,
    )
