"""Coalesce refusals: a 400 for every bad parameter of every endpoint, auth, the envelope per
status. Every 400 is the exact envelope and its ``errorDetail`` names the parameter."""

from __future__ import annotations

from typing import Any

import pytest

from tests._clients import Api

AUTH = {"Authorization": "Bearer t0k3n"}
JSON = "application/json; charset=utf-8"
BASIC = {"snowflakeUsername": "LOADER", "snowflakePassword": "s3cret"}
STATUS_WORDS = "canceled, completed, failed, initializing, rendering, running, waitingToRun"

pytestmark = pytest.mark.fake_runs(progression="manual")


def envelope(string: str, detail: str) -> dict[str, Any]:
    return {"error": {"errorString": string, "errorDetail": detail}}


def check_400(answer: Any, named: str, detail: str) -> None:
    """The exact 400 envelope; ``named`` (the parameter, or the unknown object) is in it."""
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"] == JSON
    assert answer.json() == envelope("Bad Request", detail)
    assert named in answer.json()["error"]["errorDetail"]


def raw(api: Api, content: bytes) -> dict[str, Any]:
    """A raw request body in the spelling of the client in use."""
    return {"data": content} if api.transport in ("requests", "server") else {"content": content}


@pytest.fixture
def seeded(api: Api) -> Api:
    """Environment 2 with runs 1 (running) and 2 (completed)."""
    api.fake.coalesce.add_run(environment_id="2", state="running")
    api.fake.coalesce.add_run(environment_id="2", state="completed")
    return api


# -- GET /api/v1/runs ------------------------------------------------------------------------

LIMIT = "limit must be an integer from 1 to 1000"
ORDER_BY = "orderBy must be one of id, runStartTime, runEndTime"
DIRECTION = "orderByDirection must be one of asc, desc"
RUN_TYPE = "runType must be one of deploy, refresh"
RUN_STATUS = f"runStatus must be one of {STATUS_WORDS}"
FROM_ID = "startingFrom must be a run ID (an integer) when orderBy=id"
DETAIL = "detail must be true or false"


def from_time(order_by: str) -> str:
    return f"startingFrom must be an ISO 8601 date-time when orderBy={order_by}"


LIST_CASES = [
    ("limit", {"limit": "0"}, LIMIT),
    ("limit", {"limit": "1001"}, LIMIT),
    ("limit", {"limit": "ten"}, LIMIT),
    ("limit", {"limit": "-1"}, LIMIT),
    ("limit", {"limit": "+5"}, LIMIT),
    ("limit", {"limit": "2.5"}, LIMIT),
    ("limit", {"limit": ""}, LIMIT),
    ("orderBy", {"orderBy": "name"}, ORDER_BY),
    ("orderBy", {"orderBy": "ID"}, ORDER_BY),
    ("orderByDirection", {"orderByDirection": "DESC"}, DIRECTION),
    ("orderByDirection", {"orderByDirection": "up"}, DIRECTION),
    ("runType", {"runType": "Refresh"}, RUN_TYPE),
    ("runType", {"runType": "job"}, RUN_TYPE),
    ("runStatus", {"runStatus": "done"}, RUN_STATUS),
    ("runStatus", {"runStatus": "Running"}, RUN_STATUS),
    ("startingFrom", {"startingFrom": "2026-03-02T10:00:00Z"}, FROM_ID),
    ("startingFrom", {"startingFrom": "abc"}, FROM_ID),
    ("startingFrom", {"startingFrom": "-5"}, FROM_ID),
    (
        "startingFrom",
        {"startingFrom": "4811", "orderBy": "runStartTime"},
        from_time("runStartTime"),
    ),
    (
        "startingFrom",
        {"startingFrom": "yesterday", "orderBy": "runEndTime"},
        from_time("runEndTime"),
    ),
    (
        "startingFrom",
        {"startingFrom": "2026-02-30T10:00:00Z", "orderBy": "runEndTime"},
        from_time("runEndTime"),
    ),
    (
        "startingFrom",
        {"startingFrom": "9999-12-31T23:59:59-23:59", "orderBy": "runStartTime"},
        from_time("runStartTime"),
    ),
    ("detail", {"detail": "yes"}, DETAIL),
    ("detail", {"detail": "1"}, DETAIL),
]


@pytest.mark.parametrize(("parameter", "query", "detail"), LIST_CASES)
def test_list_refuses_a_bad(
    seeded: Api, parameter: str, query: dict[str, str], detail: str
) -> None:
    check_400(seeded.get("coalesce", "/api/v1/runs", params=query, headers=AUTH), parameter, detail)


def test_list_accepts_any_environment_id(seeded: Api) -> None:
    """environmentID has no bad value: an unknown one is an empty page, not an error."""
    for env in ("nope", "", "2 ", "ü"):
        answer = seeded.get("coalesce", "/api/v1/runs", params={"environmentID": env}, headers=AUTH)
        assert answer.status_code == 200
        assert answer.json()["data"] == []


# -- GET /api/v1/runs/{runID} ----------------------------------------------------------------


@pytest.mark.parametrize("run_id", ["abc", "-1", "1.5", "%2B1"])
def test_get_run_refuses_a_bad_run_id(seeded: Api, run_id: str) -> None:
    check_400(
        seeded.get("coalesce", f"/api/v1/runs/{run_id}", headers=AUTH),
        "runID",
        "runID must be an integer",
    )


# -- GET /scheduler/runStatus ----------------------------------------------------------------

COUNTER = "runCounter must be a non-negative integer"


@pytest.mark.parametrize(
    ("named", "query", "detail"),
    [
        ("runCounter", {}, "runCounter is required"),
        ("runCounter", {"runCounter": ""}, COUNTER),
        ("runCounter", {"runCounter": "abc"}, COUNTER),
        ("runCounter", {"runCounter": "-1"}, COUNTER),
        ("runCounter", {"runCounter": "1.0"}, COUNTER),
        ("Run 4899", {"runCounter": "4899"}, "Run 4899 was not found."),
    ],
)
def test_run_status_refuses_a_bad_run_counter(
    seeded: Api, named: str, query: dict[str, str], detail: str
) -> None:
    answer = seeded.get("coalesce", "/scheduler/runStatus", params=query, headers=AUTH)
    check_400(answer, named, detail)


# -- POST /scheduler/startRun ----------------------------------------------------------------

NOT_OBJECT = "The request body must be a JSON object."


def start_body(details: Any = None, creds: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "runDetails": {"environmentID": "2", **(details or {})},
        "userCredentials": {**BASIC, **(creds or {})},
        **extra,
    }
    return body


def without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    inner = body
    for key in path[:-1]:
        inner = inner[key]
    del inner[path[-1]]
    return body


PARALLELISM = "runDetails.parallelism must be an integer from 1 to 1024"
START_CASES = [
    (
        "runDetails",
        without(start_body(), "runDetails"),
        "runDetails is required and must be an object",
    ),
    ("runDetails", start_body(runDetails="2"), "runDetails is required and must be an object"),
    (
        "environmentID",
        without(start_body(), "runDetails", "environmentID"),
        "runDetails.environmentID is required and must be a non-empty string",
    ),
    (
        "environmentID",
        start_body({"environmentID": ""}),
        "runDetails.environmentID is required and must be a non-empty string",
    ),
    (
        "environmentID",
        start_body({"environmentID": 2}),
        "runDetails.environmentID is required and must be a non-empty string",
    ),
    ("jobID", start_body({"jobID": 7}), "runDetails.jobID must be a string"),
    (
        "includeNodesSelector",
        start_body({"includeNodesSelector": ["A"]}),
        "runDetails.includeNodesSelector must be a string",
    ),
    (
        "excludeNodesSelector",
        start_body({"excludeNodesSelector": None}),
        "runDetails.excludeNodesSelector must be a string",
    ),
    ("parallelism", start_body({"parallelism": 0}), PARALLELISM),
    ("parallelism", start_body({"parallelism": 1025}), PARALLELISM),
    ("parallelism", start_body({"parallelism": "16"}), PARALLELISM),
    ("parallelism", start_body({"parallelism": 2.5}), PARALLELISM),
    ("parallelism", start_body({"parallelism": True}), PARALLELISM),
    (
        "forceIgnoreWorkspaceStatus",
        start_body({"forceIgnoreWorkspaceStatus": "yes"}),
        "runDetails.forceIgnoreWorkspaceStatus must be true or false",
    ),
    (
        "userCredentials",
        without(start_body(), "userCredentials"),
        "userCredentials is required and must be an object",
    ),
    (
        "userCredentials",
        start_body(userCredentials=[]),
        "userCredentials is required and must be an object",
    ),
    (
        "snowflakeAuthType",
        start_body(creds={"snowflakeAuthType": "Password"}),
        "userCredentials.snowflakeAuthType must be one of Basic, KeyPair, OAuth",
    ),
    (
        "snowflakeAuthType",
        start_body(creds={"snowflakeAuthType": ["Basic"]}),
        "userCredentials.snowflakeAuthType must be one of Basic, KeyPair, OAuth",
    ),
    (
        "snowflakeUsername",
        without(start_body(), "userCredentials", "snowflakeUsername"),
        "userCredentials.snowflakeUsername is required when snowflakeAuthType is Basic",
    ),
    (
        "snowflakePassword",
        start_body(creds={"snowflakePassword": ""}),
        "userCredentials.snowflakePassword is required when snowflakeAuthType is Basic",
    ),
    (
        "snowflakeKeyPairKey",
        start_body(creds={"snowflakeAuthType": "KeyPair"}),
        "userCredentials.snowflakeKeyPairKey is required when snowflakeAuthType is KeyPair",
    ),
    (
        "snowflakeUsername",
        start_body(creds={"snowflakeUsername": 5}),
        "userCredentials.snowflakeUsername must be a string",
    ),
    (
        "snowflakePassword",
        start_body(creds={"snowflakePassword": 5}),
        "userCredentials.snowflakePassword must be a string",
    ),
    (
        "snowflakeKeyPairKey",
        start_body(creds={"snowflakeKeyPairKey": {}}),
        "userCredentials.snowflakeKeyPairKey must be a string",
    ),
    (
        "snowflakeKeyPairPass",
        start_body(creds={"snowflakeKeyPairPass": 1}),
        "userCredentials.snowflakeKeyPairPass must be a string",
    ),
    (
        "snowflakeWarehouse",
        start_body(creds={"snowflakeWarehouse": False}),
        "userCredentials.snowflakeWarehouse must be a string",
    ),
    (
        "snowflakeRole",
        start_body(creds={"snowflakeRole": 1}),
        "userCredentials.snowflakeRole must be a string",
    ),
    ("parameters", start_body(parameters=["a"]), "parameters must be an object"),
    ("parameters", start_body(parameters="a=1"), "parameters must be an object"),
    ("Environment 7", start_body({"environmentID": "7"}), "Environment 7 was not found."),
]


@pytest.mark.parametrize(("named", "body", "detail"), START_CASES)
def test_start_run_refuses_a_bad(seeded: Api, named: str, body: Any, detail: str) -> None:
    answer = seeded.post("coalesce", "/scheduler/startRun", json=body, headers=AUTH)
    check_400(answer, named, detail)
    assert len(seeded.fake.coalesce.runs()) == 2


@pytest.mark.parametrize(
    "route", ["/scheduler/startRun", "/scheduler/cancelRun", "/scheduler/rerun"]
)
@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b'"runDetails"', b"\xff\xfe"])
def test_scheduler_posts_need_a_json_object(seeded: Api, route: str, content: bytes) -> None:
    answer = seeded.post(
        "coalesce",
        route,
        headers={**AUTH, "Content-Type": "application/json"},
        **raw(seeded, content),
    )

    assert answer.status_code == 400
    assert answer.json() == envelope("Bad Request", NOT_OBJECT)


# -- POST /scheduler/cancelRun ---------------------------------------------------------------


def cancel_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"runID": 1, "orgID": "acme", "environmentID": "2"}
    for key, value in changes.items():
        if value is ...:
            del body[key]
        else:
            body[key] = value
    return body


RUN_ID = "runID must be a non-negative integer"
ORG = "orgID is required and must be a non-empty string"
ENV = "environmentID is required and must be a non-empty string"
CANCEL_CASES = [
    ("runID", cancel_body(runID=...), "runID is required"),
    ("runID", cancel_body(runID="abc"), RUN_ID),
    ("runID", cancel_body(runID=-1), RUN_ID),
    ("runID", cancel_body(runID=1.0), RUN_ID),
    ("runID", cancel_body(runID=True), RUN_ID),
    ("runID", cancel_body(runID=None), RUN_ID),
    ("orgID", cancel_body(orgID=...), ORG),
    ("orgID", cancel_body(orgID=""), ORG),
    ("orgID", cancel_body(orgID=7), ORG),
    ("environmentID", cancel_body(environmentID=...), ENV),
    ("environmentID", cancel_body(environmentID=""), ENV),
    ("environmentID", cancel_body(environmentID=2), ENV),
    ("Run 4899", cancel_body(runID=4899), "Run 4899 was not found."),
    ("environment 3", cancel_body(environmentID="3"), "Run 1 does not belong to environment 3."),
    ("Run 2", cancel_body(runID=2), "Run 2 is not in progress."),
]


@pytest.mark.parametrize(("named", "body", "detail"), CANCEL_CASES)
def test_cancel_run_refuses_a_bad(seeded: Api, named: str, body: Any, detail: str) -> None:
    answer = seeded.post("coalesce", "/scheduler/cancelRun", json=body, headers=AUTH)
    check_400(answer, named, detail)
    assert seeded.fake.coalesce.get(1).state == "running"


# -- POST /scheduler/rerun -------------------------------------------------------------------


def rerun_body(details: Any, creds: Any = None, **extra: Any) -> dict[str, Any]:
    return {"runDetails": details, "userCredentials": {**BASIC, **(creds or {})}, **extra}


RERUN_ID = "runDetails.runID must be a non-negative integer"
RERUN_CASES = [
    ("runDetails", {"userCredentials": BASIC}, "runDetails is required and must be an object"),
    ("runDetails", rerun_body([2]), "runDetails is required and must be an object"),
    ("runID", rerun_body({}), "runDetails.runID is required"),
    ("runID", rerun_body({"runID": "two"}), RERUN_ID),
    ("runID", rerun_body({"runID": -2}), RERUN_ID),
    ("runID", rerun_body({"runID": 2.0}), RERUN_ID),
    (
        "userCredentials",
        {"runDetails": {"runID": 2}},
        "userCredentials is required and must be an object",
    ),
    (
        "snowflakeAuthType",
        rerun_body({"runID": 2}, {"snowflakeAuthType": "basic"}),
        "userCredentials.snowflakeAuthType must be one of Basic, KeyPair, OAuth",
    ),
    (
        "snowflakePassword",
        rerun_body({"runID": 2}, {"snowflakePassword": None}),
        "userCredentials.snowflakePassword must be a string",
    ),
    (
        "snowflakeKeyPairKey",
        rerun_body({"runID": 2}, {"snowflakeAuthType": "KeyPair"}),
        "userCredentials.snowflakeKeyPairKey is required when snowflakeAuthType is KeyPair",
    ),
    ("parameters", rerun_body({"runID": 2}, parameters=1), "parameters must be an object"),
    ("Run 4899", rerun_body({"runID": 4899}), "Run 4899 was not found."),
    (
        "Run 1",
        rerun_body({"runID": 1}),
        "Run 1 is still in progress; only an ended run can be re-run.",
    ),
]


@pytest.mark.parametrize(("named", "body", "detail"), RERUN_CASES)
def test_rerun_refuses_a_bad(seeded: Api, named: str, body: Any, detail: str) -> None:
    answer = seeded.post("coalesce", "/scheduler/rerun", json=body, headers=AUTH)
    check_400(answer, named, detail)
    assert len(seeded.fake.coalesce.runs()) == 2


# -- auth ------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/api/v1/runs", {}),
    ("GET", "/api/v1/runs/1", {}),
    ("POST", "/scheduler/startRun", {"json": start_body()}),
    ("GET", "/scheduler/runStatus", {"params": {"runCounter": "1"}}),
    ("POST", "/scheduler/cancelRun", {"json": cancel_body()}),
    ("POST", "/scheduler/rerun", {"json": rerun_body({"runID": 2})}),
]
UNAUTHORIZED = envelope("Unauthorized", "A valid bearer token is required.")


@pytest.mark.parametrize(
    "header", [None, "Basic dXNlcjpwYXNz", "Token t0k3n", "Bearer", "Bearer ", "t0k3n"]
)
@pytest.mark.parametrize(("method", "path", "kwargs"), ROUTES)
def test_every_route_needs_a_bearer_token(
    seeded: Api, method: str, path: str, kwargs: dict[str, Any], header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}

    answer = seeded.request(method, "coalesce", path, headers=headers, **kwargs)

    assert answer.status_code == 401
    assert answer.headers["Content-Type"] == JSON
    assert answer.json() == UNAUTHORIZED
    assert seeded.fake.coalesce.get(1).state == "running"
    assert len(seeded.fake.coalesce.runs()) == 2


@pytest.mark.parametrize("header", ["Bearer x", "bearer 0123456789abcdef", "BEARER a.b.c"])
@pytest.mark.parametrize(("method", "path", "kwargs"), ROUTES)
def test_any_bearer_token_is_accepted(
    seeded: Api, method: str, path: str, kwargs: dict[str, Any], header: str
) -> None:
    answer = seeded.request(method, "coalesce", path, headers={"Authorization": header}, **kwargs)

    assert answer.status_code in (200, 204), answer.text


@pytest.mark.parametrize(("method", "path", "kwargs"), ROUTES)
def test_require_auth_false_lets_requests_without_a_header_through(
    seeded: Api, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    seeded.fake.coalesce.require_auth = False

    answer = seeded.request(method, "coalesce", path, **kwargs)

    assert answer.status_code in (200, 204), answer.text


def test_require_auth_is_restored_by_reset(seeded: Api) -> None:
    seeded.fake.coalesce.require_auth = False
    seeded.fake.reset()

    assert seeded.fake.coalesce.require_auth is True
    assert seeded.get("coalesce", "/api/v1/runs").status_code == 401


def test_auth_comes_before_parameter_checks(seeded: Api) -> None:
    answer = seeded.get("coalesce", "/api/v1/runs", params={"limit": "0"})

    assert answer.json() == UNAUTHORIZED


# -- the envelope of every status --------------------------------------------------------------

ENVELOPES = {
    400: ("Bad Request", "The request was invalid."),
    401: ("Unauthorized", "A valid bearer token is required."),
    403: ("Forbidden", "This token may not perform the requested operation."),
    404: ("Not Found", "The requested resource was not found."),
    409: ("Conflict", "The run changed while the request was processed."),
    429: ("Too Many Requests", "Rate limit exceeded."),
    500: ("Internal Server Error", "An unexpected error occurred."),
    502: ("Bad Gateway", "An upstream system returned an error."),
    503: ("Service Unavailable", "The service is temporarily unavailable."),
    504: ("Gateway Timeout", "An upstream system did not respond in time."),
}


@pytest.mark.parametrize("status", sorted(ENVELOPES))
def test_an_injected_status_answers_in_the_coalesce_envelope(seeded: Api, status: int) -> None:
    seeded.fake.inject(status=status, vendor="coalesce", times=1, retry_after=7)

    answer = seeded.get("coalesce", "/api/v1/runs", headers=AUTH)

    assert answer.status_code == status
    assert answer.headers["Content-Type"] == JSON
    assert answer.json() == envelope(*ENVELOPES[status])
    assert answer.headers.get("Retry-After") == ("7" if status in (429, 503) else None)
    assert seeded.get("coalesce", "/api/v1/runs", headers=AUTH).status_code == 200


def test_an_injected_404_on_a_run_names_the_run(seeded: Api) -> None:
    seeded.fake.inject(status=404, vendor="coalesce", path="/api/v1/runs/{runID}")

    answer = seeded.get("coalesce", "/api/v1/runs/1", headers=AUTH)

    assert answer.json() == envelope("Not Found", "Run 1 was not found.")


def test_a_sunset_route_answers_410_in_the_envelope(seeded: Api) -> None:
    seeded.fake.coalesce.deprecate("2020-01-01", sunset_at="2021-01-01")

    answer = seeded.get("coalesce", "/api/v1/runs", headers=AUTH)

    assert answer.status_code == 410
    assert answer.json() == envelope("Gone", "This endpoint is no longer available.")


@pytest.mark.fake_runs(strict=False)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/v1/runs"),
        ("GET", "/api/v1/runs/1/results"),
        ("GET", "/scheduler/startRun"),
        ("POST", "/api/v1/runs"),
    ],
)
def test_an_unknown_route_answers_404_in_the_envelope(seeded: Api, method: str, path: str) -> None:
    answer = seeded.request(method, "coalesce", path, headers=AUTH)

    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == JSON
    assert answer.json() == envelope("Not Found", f"No route matches {method} {path}.")
    assert len(seeded.fake.unmatched) == 1
