"""OpenAPI data of the Kinetic fake (docs/contracts/kinetic.md), from the constants its handlers
validate with; read by ``pytest_fakeruns._openapi.document``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_fakeruns.vendor_kit import (
    UTC_MILLIS,
    OpenApiSpec,
    Operation,
    array,
    enum,
    integer,
    json_answer,
    nullable,
    obj,
    path,
    query,
    ref,
    string,
)

from .data import TASK_KEYS
from .definition import REALM, Kinetic
from .handlers import FORM, MAX_LIMIT

if TYPE_CHECKING:
    from pytest_fakeruns.vendor_kit import VendorFake

STATUSES = Kinetic.vocabulary.words()
TASK_STATUSES = ("New", "Deferred", "Closed")
INSTANT = string(pattern=UTC_MILLIS)

MESSAGE = obj({"createdAt": INSTANT, "id": integer(), "text": string()})
_TASK_TYPES = {
    "branchId": integer(),
    "createdAt": INSTANT,
    "createdBy": string(),
    "deferredResults": nullable(string()),
    "definitionId": string(),
    "duration": integer(0),
    "id": integer(),
    "messages": array(ref("Message")),
    "nodeId": string(),
    "nodeName": string(),
    "results": nullable(string()),
    "status": enum(TASK_STATUSES),
    "token": nullable(string()),
    "updatedAt": INSTANT,
    "updatedBy": string(),
}
assert set(_TASK_TYPES) == set(TASK_KEYS)  # a new task key needs its schema here
TASK = obj(
    {k: _TASK_TYPES[k] for k in TASK_KEYS if k != "messages"}, {"messages": _TASK_TYPES["messages"]}
)
RUN = obj(
    {
        "createdAt": INSTANT,
        "createdBy": string(minLength=1),
        "id": integer(1),
        "sourceData": nullable(string()),
        "sourceId": nullable(string()),
        "status": enum(STATUSES),
        "tree": obj({"name": string(), "sourceGroup": string(), "source": obj({"name": string()})}),
        "updatedAt": INSTANT,
        "updatedBy": string(),
    },
    {"tasks": array(ref("Task"))},
)
RUN_LIST = obj(
    {
        "count": integer(0),
        "limit": integer(1, MAX_LIMIT),
        "offset": integer(0),
        "runs": array(ref("Run")),
    }
)
ERROR = obj({"message": string()})

_NUMBER = {"anyOf": [integer(0), string(pattern="^[0-9]+$")]}
FILTERS = {
    "sourceGroup": string(),
    "tree": string(),
    "sourceId": string(),
    "include": string(description="comma list of tasks, tasks.messages"),
}
PAGING = {"limit": integer(1, MAX_LIMIT, default=MAX_LIMIT), "offset": integer(0, default=0)}
BODY_PARAMS = obj(
    {},
    {**FILTERS, "limit": _NUMBER, "offset": _NUMBER},
    closed=False,
    description="the same parameters as a JSON object (even on GET); the body wins",
)
SHOW_BODY = obj({}, {"include": FILTERS["include"]}, closed=False)


def _trees(vendor: VendorFake) -> dict[str, list[str]]:
    """The first source's known trees: run-tree examples that exist."""
    parent = next(iter(vendor.store.parents.values()), None)
    pairs: list[tuple[str, str]] = [] if parent is None else parent.data["trees"]
    return {
        "GROUP": list(dict.fromkeys(g for g, _ in pairs)),
        "TREE": list(dict.fromkeys(t for _, t in pairs)),
    }


SOURCE_DATA = {"type": "object", "description": "stored as the run's sourceData"}

SPEC = OpenApiSpec(
    description="Task REST API v1: runs of a source, one run, run a tree. Without an "
    "Authorization header a source's policy rule answers 403.",
    error=ERROR,
    schemas={"Run": RUN, "Task": TASK, "Message": MESSAGE},
    security_schemes={
        "basic": {"type": "http", "scheme": "basic", "description": "any well-formed user:password"}
    },
    error_headers={401: {"WWW-Authenticate": {"const": REALM}}},
    operations={
        ("GET", "/app/api/v1/sources/{SOURCE}/runs"): Operation(
            "List a source's runs (id descending, offset pages)",
            {200: json_answer(RUN_LIST)},
            parameters=[
                path("SOURCE", string()),
                *(query(name, schema) for name, schema in FILTERS.items()),
                *(query(name, schema) for name, schema in PAGING.items()),
            ],
            body={"application/json": BODY_PARAMS},
            errors=(400, 404),
            parents=("SOURCE",),
        ),
        ("GET", "/app/api/v1/sources/{SOURCE}/runs/{RUN_ID}"): Operation(
            "Show one run",
            {200: json_answer(obj({"run": ref("Run")}))},
            parameters=[
                path("SOURCE", string()),
                path("RUN_ID", integer(1)),
                query("include", FILTERS["include"]),
            ],
            body={"application/json": SHOW_BODY},
            errors=(400, 404),
            parents=("SOURCE",),
            runs=("RUN_ID",),
        ),
        ("POST", "/app/api/v1/run-tree/{SOURCE}/{GROUP}/{TREE}"): Operation(
            "Start a run of a tree",
            {
                200: json_answer(
                    obj({"message": string(pattern="^Initiated run #[0-9]+ "), "run": ref("Run")})
                )
            },
            parameters=[
                path("SOURCE", string()),
                path("GROUP", string()),
                path("TREE", string()),
                query("sourceId", string()),
            ],
            body={
                "application/json": SOURCE_DATA,
                FORM: {"type": "object", "additionalProperties": {"type": "string"}},
            },
            errors=(400, 404),
            parents=("SOURCE",),
            examples=_trees,
        ),
    },
)
