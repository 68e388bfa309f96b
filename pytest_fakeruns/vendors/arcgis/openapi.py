"""OpenAPI data of the ArcGIS fake (docs/contracts/arcgis.md), from the constants its handlers
validate with; read by ``pytest_fakeruns._openapi.document``.

ArcGIS answers most errors with HTTP 200 and the ``error`` envelope, in the format ``f`` asks
for: each route's 200 is its result or that envelope, as JSON (``f=json``), indented JSON as
text (``f=pjson``) or an HTML page (``f=html``, the default).
"""

from __future__ import annotations

from typing import Any

from pytest_fakeruns.vendor_kit import (
    FORM,
    Answer,
    OpenApiSpec,
    Operation,
    Schema,
    array,
    boolean,
    enum,
    integer,
    obj,
    path,
    query,
    ref,
    string,
)

from .data import TASK_TYPES
from .definition import REAL_HTTP
from .formats import FORMATS, HTML_TYPE, JSON_TYPE, PJSON_TYPE
from .handlers import MAX_NUM, RUN_PATH, RUNS_PATH, STATUSES, UPDATE_PATH

US_DATE = string(
    pattern=r"^[A-Z][a-z]{2} [0-9]{1,2}, [0-9]{4}, [0-9]{1,2}:[0-9]{2}:[0-9]{2} [AP]M$"
)
MEDIA = (JSON_TYPE.split(";")[0], PJSON_TYPE.split(";")[0], HTML_TYPE.split(";")[0])

CRON = obj({name: string() for name in ("dayOfWeek", "hour", "month", "dayOfMonth", "minute")})
TASK = obj(
    {
        "generation": integer(),
        "created": US_DATE,
        "active": boolean(),
        "ownerId": string(),
        "type": enum(sorted(t["type"] for t in TASK_TYPES.values())),
        "orgId": string(),
        "cronSchedule": CRON,
        "cronExpression": string(),
        "itemId": string(format="uuid"),
        "runIntervalSeconds": integer(),
        "taskType": enum(sorted(TASK_TYPES)),
        "taskState": string(),
        "taskTitle": string(),
        "maxOccurrences": integer(),
        "id": string(),
        "taskId": string(),
    },
    {"lastStart": US_DATE, "updated": US_DATE},
)
RUN = obj(
    {
        "result": string(),
        "task": ref("Task"),
        "created": US_DATE,
        "modified": US_DATE,
        "runId": string(),
        "url": string(),
        "status": enum(STATUSES),
    }
)
RUN_LIST = obj(
    {
        "result": array(ref("Run")),
        "total": integer(0),
        "num": integer(0, MAX_NUM),
        "start": integer(0),
        "nextStart": integer(0),
    }
)
ERROR = obj(
    {
        "error": obj(
            {
                "code": integer(description="the status, 498 invalid token, 499 token required"),
                "message": string(),
                "details": array(string()),
            }
        )
    }
)

_PARAMS: dict[str, Schema] = {
    "f": enum(FORMATS, default="html"),
    "token": string(description="any non-empty token (in the form body on POST)"),
}
_PAGING: dict[str, Schema] = {
    "start": integer(0, default=0),
    "num": integer(1, default=10, description=f"above {MAX_NUM}: clamped to {MAX_NUM}"),
}
_UPDATE: dict[str, Schema] = {"status": enum(STATUSES), "result": string()}


def _form(fields: dict[str, Schema], required: tuple[str, ...] = ()) -> dict[str, Schema]:
    shown = {k: v for k, v in fields.items() if k not in required}
    return {FORM: obj({k: fields[k] for k in required}, shown, closed=False)}


def _result(schema: Schema, description: str) -> dict[int, Answer]:
    """HTTP 200: the result or an error envelope, in the format ``f`` chose."""
    either: Schema = {"anyOf": [schema, ref("Error")]}
    content = {MEDIA[0]: either, MEDIA[1]: either, MEDIA[2]: string()}
    return {200: Answer(description, content)}


def _ops(
    template: str, summary: str, result: Schema, fields: dict[str, Schema], runs: bool
) -> dict[tuple[str, str], Operation]:
    common: dict[str, Any] = {
        "parents": ("taskID",),
        "runs": ("runID",) if runs else (),
        "errors": (400, 404),
    }
    params = [path("taskID", string())] + ([path("runID", string())] if runs else [])
    return {
        ("GET", template): Operation(
            summary,
            _result(result, summary),
            parameters=[*params, *(query(k, v) for k, v in fields.items())],
            **common,
        ),
        ("POST", template): Operation(
            summary + " (parameters in the form body)",
            _result(result, summary),
            parameters=[*params, query("f", _PARAMS["f"])],
            body=_form(fields),
            **common,
        ),
    }


SPEC = OpenApiSpec(
    description="System task runs of the administrator API. Application errors (400, 401 as "
    "498/499, 403, 404, 405, 409, 500) ride on HTTP 200 in the `error` envelope.",
    error=ERROR,
    schemas={"Run": RUN, "Task": TASK},
    security_schemes={
        "token": {
            "type": "apiKey",
            "in": "query",
            "name": "token",
            "description": "on POST the token travels in the form body",
        },
        "esriBearer": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Esri-Authorization",
            "description": "Bearer <token>",
        },
    },
    error_media=MEDIA,
    error_http=lambda status: status if status in REAL_HTTP else 200,
    operations={
        **_ops(
            RUNS_PATH,
            "List a task's runs (newest first)",
            RUN_LIST,
            {**_PARAMS, **_PAGING},
            runs=False,
        ),
        **_ops(RUN_PATH, "One run", ref("Run"), _PARAMS, runs=True),
        ("POST", UPDATE_PATH): Operation(
            "Change a run's status",
            _result(obj({"status": {"const": "success"}}), "success"),
            parameters=[
                path("taskID", string()),
                path("runID", string()),
                query("f", _PARAMS["f"]),
            ],
            body=_form({**_UPDATE, **_PARAMS}, required=("status",)),
            body_required=True,
            errors=(400, 404),
            parents=("taskID",),
            runs=("runID",),
        ),
        ("GET", UPDATE_PATH): Operation(
            "Not supported: answers error 405",
            _result(obj({}), "never"),
            parameters=[
                path("taskID", string()),
                path("runID", string()),
                query("f", _PARAMS["f"]),
            ],
            errors=(405,),
            auth=False,
        ),
    },
)
