"""OpenAPI data of the Coalesce fake (docs/contracts/coalesce.md), from the constants its handlers
validate with; read by ``pytest_fakeruns._openapi.document``."""

from __future__ import annotations

from pytest_fakeruns.vendor_kit import (
    UTC_SECONDS,
    Answer,
    OpenApiSpec,
    Operation,
    array,
    boolean,
    enum,
    integer,
    json_answer,
    obj,
    path,
    query,
    ref,
    string,
)

from .data import PUBLIC_CREDENTIALS, RUN_TYPES
from .definition import ERRORS
from .handlers import DEFAULT_LIMIT, DIRECTIONS, MAX_LIMIT, ORDER_BY, STATUSES
from .scheduler import AUTH_TYPES, CREDENTIAL_STRINGS, MAX_PARALLELISM, SELECTORS

INSTANT = string(format="date-time", pattern=UTC_SECONDS)
RUN_NUMBER = {"anyOf": [integer(0), string(pattern="^[0-9]+$")]}

SUMMARY_RUN = obj(
    {
        "id": integer(1),
        "runType": enum(RUN_TYPES),
        "runStatus": enum(STATUSES),
        "environmentID": string(),
    },
    {
        "reRunID": string(),
        "runStartTime": INSTANT,
        "runEndTime": INSTANT,
        "runFailureReason": string(),
    },
)
_COMMON_DETAILS = {
    "environmentID": string(),
    "canceled": boolean(),
    "parallelism": integer(1, MAX_PARALLELISM),
    "nodesInRun": integer(0),
}
REFRESH_DETAILS = obj({**_COMMON_DETAILS, **{name: string() for name in SELECTORS}})
DEPLOY_DETAILS = obj({"deployCommit": string(), "deployCommitMessage": string(), **_COMMON_DETAILS})
FULL_RUN = obj(
    {
        "id": integer(1),
        "runDetails": {"anyOf": [ref("RefreshRunDetails"), ref("DeployRunDetails")]},
        "runStatus": enum(STATUSES),
        "runTimeParameters": {"type": "object"},
        "runType": enum(RUN_TYPES),
        "version": {"const": 1},
        "userCredentials": obj({}, {name: string() for name in PUBLIC_CREDENTIALS}),
        "userID": string(),
    },
    {"reRunID": string(), "runEndTime": INSTANT, "runStartTime": INSTANT},
)
RUN_LIST = obj(
    {
        "limit": integer(1, MAX_LIMIT),
        "orderByDirection": enum(DIRECTIONS),
        "orderBy": enum(ORDER_BY),
        "data": array({"anyOf": [ref("RunSummary"), ref("Run")]}),
    },
    {"next": string()},
)
ERROR = obj(
    {
        "error": obj(
            {"errorString": enum(sorted({word for word, _ in ERRORS.values()} | {"Error"}))},
            {"errorDetail": string()},
        )
    }
)

CREDENTIALS = obj(
    {},
    {"snowflakeAuthType": enum(AUTH_TYPES), **{name: string() for name in CREDENTIAL_STRINGS}},
    closed=False,
    description="snowflakeUsername and snowflakePassword are required for Basic, "
    "snowflakeKeyPairKey for KeyPair",
)
PARAMETERS = {"type": "object", "description": "the run's runTimeParameters"}
START_BODY = obj(
    {
        "runDetails": obj(
            {"environmentID": string(minLength=1)},
            {
                **{name: string() for name in SELECTORS},
                "parallelism": integer(1, MAX_PARALLELISM, default=16),
                "forceIgnoreWorkspaceStatus": boolean(),
            },
            closed=False,
        ),
        "userCredentials": CREDENTIALS,
    },
    {"parameters": PARAMETERS},
    closed=False,
)
CANCEL_BODY = obj(
    {"runID": RUN_NUMBER, "orgID": string(minLength=1), "environmentID": string(minLength=1)},
    closed=False,
)
RERUN_BODY = obj(
    {"runDetails": obj({"runID": RUN_NUMBER}, closed=False), "userCredentials": CREDENTIALS},
    {"parameters": PARAMETERS},
    closed=False,
)
RUN_COUNTER = json_answer(obj({"runCounter": integer(1)}), "the new refresh run's number")

SPEC = OpenApiSpec(
    description="Runs and the job scheduler. `/scheduler` answers an unknown environment or "
    "run with 400 (it documents only 200/400/401).",
    error=ERROR,
    schemas={
        "RunSummary": SUMMARY_RUN,
        "Run": FULL_RUN,
        "RefreshRunDetails": REFRESH_DETAILS,
        "DeployRunDetails": DEPLOY_DETAILS,
    },
    security_schemes={
        "bearer": {"type": "http", "scheme": "bearer", "description": "any non-empty token"}
    },
    operations={
        ("GET", "/api/v1/runs"): Operation(
            "List runs (keyset pages)",
            {200: json_answer(RUN_LIST, "a page; `next` only when another page follows")},
            parameters=[
                query("limit", integer(1, MAX_LIMIT, default=DEFAULT_LIMIT)),
                query(
                    "startingFrom",
                    {"anyOf": [integer(0), INSTANT]},
                    "exclusive bound: a run ID (orderBy=id) or an ISO 8601 instant",
                ),
                query("orderBy", enum(ORDER_BY, default="id")),
                query("orderByDirection", enum(DIRECTIONS, default="desc")),
                query("runType", enum(RUN_TYPES)),
                query("runStatus", enum(STATUSES)),
                query("environmentID", string(), "exact match; unknown: an empty page"),
                query("detail", boolean(default=False), "true: full run objects"),
            ],
            errors=(400,),
        ),
        ("GET", "/api/v1/runs/{runID}"): Operation(
            "One run (full object)",
            {200: json_answer(ref("Run"))},
            parameters=[path("runID", integer(1))],
            errors=(400, 404),
            runs=("runID",),
        ),
        ("POST", "/scheduler/startRun"): Operation(
            "Start a refresh run",
            {200: RUN_COUNTER},
            body={"application/json": START_BODY},
            body_required=True,
            errors=(400,),
        ),
        ("GET", "/scheduler/runStatus"): Operation(
            "Poll a run",
            {
                200: json_answer(
                    obj(
                        {
                            "runStatus": enum(STATUSES),
                            "runType": enum(RUN_TYPES),
                            "runLink": string(),
                        }
                    )
                )
            },
            parameters=[query("runCounter", integer(0), required=True)],
            errors=(400,),
        ),
        ("POST", "/scheduler/cancelRun"): Operation(
            "Cancel a run in progress",
            {204: Answer("canceled; no body")},
            body={"application/json": CANCEL_BODY},
            body_required=True,
            errors=(400,),
        ),
        ("POST", "/scheduler/rerun"): Operation(
            "Re-run an ended run",
            {200: RUN_COUNTER},
            body={"application/json": RERUN_BODY},
            body_required=True,
            errors=(400,),
        ),
    },
)
