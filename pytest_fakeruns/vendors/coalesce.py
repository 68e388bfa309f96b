"""Coalesce API: runs and the job scheduler (contracts/coalesce.md)."""

from __future__ import annotations

import bisect
from typing import Any

from .._definition import Context, VendorDefinition
from .._errors import FakeRunsError
from .._generator import Gen
from .._http import Response, json_response
from .._params import iso_seconds, one_of, parse_bool, parse_instant, parse_int
from .._router import Route
from .._run import Run
from .._states import State
from .._store import Parent
from .._vocabulary import Position, Step, Vocabulary

CONTENT_TYPE = "application/json; charset=utf-8"
ORDER_BY = ("id", "runStartTime", "runEndTime")
DIRECTIONS = ("asc", "desc")
RUN_TYPES = ("deploy", "refresh")
STATUSES = ("canceled", "completed", "failed", "initializing", "rendering", "running",
            "waitingToRun")
AUTH_TYPES = ("Basic", "KeyPair", "OAuth")

ERRORS: dict[int, tuple[str, str]] = {
    400: ("Bad Request", "The request was invalid."),
    401: ("Unauthorized", "A valid bearer token is required."),
    403: ("Forbidden", "This token may not perform the requested operation."),
    404: ("Not Found", "The requested resource was not found."),
    409: ("Conflict", "The run changed while the request was processed."),
    410: ("Gone", "This endpoint is no longer available."),
    429: ("Too Many Requests", "Rate limit exceeded."),
    500: ("Internal Server Error", "An unexpected error occurred."),
    502: ("Bad Gateway", "An upstream system returned an error."),
    503: ("Service Unavailable", "The service is temporarily unavailable."),
    504: ("Gateway Timeout", "An upstream system did not respond in time."),
}

FAILURE_REASONS = (
    "SQL compilation error: Object 'ANALYTICS.STG_ORDERS' does not exist or not authorized.",
    "SQL execution error: Numeric value 'N/A' is not recognized.",
    "Warehouse 'TRANSFORM_WH' cannot be resumed because resource monitor has exceeded its quota.",
    "Node 'DIM_CUSTOMER' failed: Duplicate row detected during DML action.",
    "Authentication token has expired. The user must authenticate again.",
)

# run_fields accepted by add_run (besides the canonical keys and environment_id/environmentID)
RUN_FIELDS = (
    "runType", "reRunID", "jobID", "includeNodesSelector", "excludeNodesSelector",
    "parallelism", "nodesInRun", "deployCommit", "deployCommitMessage", "runTimeParameters",
    "userCredentials", "userID", "runFailureReason",
)


class Coalesce(VendorDefinition):
    name = "coalesce"
    default_base_url = "https://app.coalescesoftware.io"
    parent_keyword = "environment_id"
    parent_aliases = ("environmentID",)
    int_ids = True
    content_type = CONTENT_TYPE
    vocabulary = Vocabulary(
        steps=(
            Step("waitingToRun", State.WAITING),
            Step("initializing", State.RUNNING, 0.15),
            Step("rendering", State.RUNNING, 0.15),
            Step("running", State.RUNNING, 0.70),
        ),
        terminal_words={
            State.COMPLETED: "completed",
            State.FAILED: "failed",
            State.CANCELED: "canceled",
        },
        durations={State.WAITING: 3.0, State.RUNNING: 30.0},
        status_field="runStatus",
    )

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/api/v1/runs", list_runs, list_route=True),
            Route("GET", "/api/v1/runs/{runID}", get_run),
            Route("POST", "/scheduler/startRun", start_run),
            Route("GET", "/scheduler/runStatus", run_status),
            Route("POST", "/scheduler/cancelRun", cancel_run),
            Route("POST", "/scheduler/rerun", rerun),
        ]

    def authenticate(self, ctx: Context) -> None:
        header = ctx.request.headers.get("Authorization")
        if header is None and not ctx.vendor.require_auth:
            return
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ctx.fail(401)

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        word, default = ERRORS.get(status, ("Error", "The request failed."))
        if message is None and status == 404 and ctx.route is None:
            message = f"No route matches {ctx.request.method} {ctx.path}."
        body = {"error": {"errorString": word, "errorDetail": message or default}}
        return json_response(body, status, CONTENT_TYPE)

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        rng = gen.derived(f"environment:{key}")
        if key is None:
            key = str(rng.randint(1, 40))
        account = f"{gen.hex(7, rng).upper()}.us-east-1"
        return key, {"snowflakeAccount": account, "userID": gen.hex(28, rng)}

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        unknown = sorted(set(given) - set(RUN_FIELDS))
        if unknown:
            raise FakeRunsError(
                f"coalesce add_run() got unknown field(s) {', '.join(unknown)}; allowed: "
                "state/runStatus, outcome, created_at, durations, reason, "
                f"environment_id/environmentID, {', '.join(RUN_FIELDS)}"
            )
        rng = gen.rng
        run_type = given.pop("runType", None) or ("deploy" if rng.random() < 0.2 else "refresh")
        if run_type not in RUN_TYPES:
            raise FakeRunsError(f"runType={run_type!r}; use one of {one_of(RUN_TYPES)}")
        fields: dict[str, Any] = {
            "runType": run_type,
            "environmentID": parent.key,
            "parallelism": 16,
            "nodesInRun": rng.randint(3, 240),
            "runTimeParameters": {},
            "userID": parent.data["userID"],
            "userCredentials": {
                "snowflakeAccount": parent.data["snowflakeAccount"],
                "snowflakeAuthType": "Basic",
                "snowflakeUsername": gen.pick("users", 6, _snowflake_user),
                "snowflakeRole": "TRANSFORMER",
                "snowflakeWarehouse": "TRANSFORM_WH",
            },
        }
        if run_type == "deploy":
            fields["deployCommit"] = gen.hex(40)
            fields["deployCommitMessage"] = gen.pick("commits", 12, _commit_message)
        else:
            fields["jobID"] = str(rng.randint(1, 30))
            fields["includeNodesSelector"] = ""
            fields["excludeNodesSelector"] = ""
        if at.state is State.FAILED or "runFailureReason" in given:
            fields["runFailureReason"] = given.pop("runFailureReason", None) or rng.choice(
                FAILURE_REASONS
            )
        fields.update(given)
        return fields

    def serialize(self, run: Run, detail: bool = False, **options: Any) -> Any:
        return full_run(run) if detail else summary_run(run)

    def history_mix(self) -> list[tuple[float, str, bool]]:
        return [
            (0.78, "completed", True),
            (0.12, "failed", True),
            (0.05, "canceled", True),
            (0.01, "initializing", True),
            (0.02, "running", True),
            (0.02, "waitingToRun", True),
        ]


def _snowflake_user(faker: Any) -> str:
    return str(faker.user_name()).upper()


def _commit_message(faker: Any) -> str:
    return str(faker.sentence(nb_words=6)).rstrip(".")


def _failure_reason(run: Run) -> str | None:
    if run.state_ is not State.FAILED:
        return None
    return run.reason or run.fields.get("runFailureReason") or FAILURE_REASONS[0]


def summary_run(run: Run) -> dict[str, Any]:
    f = run.fields
    out: dict[str, Any] = {"id": run.id}
    if f.get("reRunID") is not None:
        out["reRunID"] = f["reRunID"]
    if run.started_at_ is not None:
        out["runStartTime"] = iso_seconds(run.started_at_)
    if run.ended_at_ is not None:
        out["runEndTime"] = iso_seconds(run.ended_at_)
    out["runType"] = f["runType"]
    out["runStatus"] = run.status
    out["environmentID"] = f["environmentID"]
    reason = _failure_reason(run)
    if reason is not None:
        out["runFailureReason"] = reason
    return out


def full_run(run: Run) -> dict[str, Any]:
    f = run.fields
    canceled = run.state_ is State.CANCELED
    details: dict[str, Any]
    if f["runType"] == "deploy":
        details = {
            "deployCommit": f.get("deployCommit", ""),
            "deployCommitMessage": f.get("deployCommitMessage", ""),
            "environmentID": f["environmentID"],
            "canceled": canceled,
            "parallelism": f.get("parallelism", 16),
            "nodesInRun": f.get("nodesInRun", 0),
        }
    else:
        details = {
            "environmentID": f["environmentID"],
            "canceled": canceled,
            "includeNodesSelector": f.get("includeNodesSelector", ""),
            "excludeNodesSelector": f.get("excludeNodesSelector", ""),
            "jobID": f.get("jobID", ""),
            "parallelism": f.get("parallelism", 16),
            "nodesInRun": f.get("nodesInRun", 0),
        }
    out: dict[str, Any] = {
        "id": run.id,
        "runDetails": details,
        "runStatus": run.status,
        "runTimeParameters": f.get("runTimeParameters", {}),
        "runType": f["runType"],
        "version": 1,
    }
    if f.get("reRunID") is not None:
        out["reRunID"] = f["reRunID"]
    if run.ended_at_ is not None:
        out["runEndTime"] = iso_seconds(run.ended_at_)
    if run.started_at_ is not None:
        out["runStartTime"] = iso_seconds(run.started_at_)
    out["userCredentials"] = f["userCredentials"]
    out["userID"] = f["userID"]
    return out


# -- GET /api/v1/runs ----------------------------------------------------------------------


def _enum(ctx: Context, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    value = ctx.query.get(name)
    if value is None:
        return default
    if value not in allowed:
        raise ctx.fail(400, f"{name} must be one of {one_of(allowed)}")
    return value


def list_runs(ctx: Context) -> Response:
    q = ctx.query
    limit = 25
    if "limit" in q:
        parsed = parse_int(q["limit"])
        if parsed is None or not 1 <= parsed <= 1000:
            raise ctx.fail(400, "limit must be an integer from 1 to 1000")
        limit = parsed
    order_by = _enum(ctx, "orderBy", ORDER_BY, "id") or "id"
    direction = _enum(ctx, "orderByDirection", DIRECTIONS, "desc") or "desc"
    cursor: Any = None
    if "startingFrom" in q:
        raw = q["startingFrom"]
        cursor = parse_int(raw) if order_by == "id" else parse_instant(raw)
        if cursor is None:
            wanted = "a run ID (an integer)" if order_by == "id" else "an ISO 8601 date-time"
            raise ctx.fail(400, f"startingFrom must be {wanted} when orderBy={order_by}")
    run_type = _enum(ctx, "runType", RUN_TYPES, None)
    status = _enum(ctx, "runStatus", STATUSES, None)
    detail = False
    if "detail" in q:
        flag = parse_bool(q["detail"])
        if flag is None:
            raise ctx.fail(400, "detail must be true or false")
        detail = flag

    store = ctx.vendor.store
    store.catch_up()
    env = q.get("environmentID")
    pool: list[Run]
    if env is None:
        pool = store.runs
    else:
        parent = store.parent(env)
        pool = parent.runs if parent is not None else []

    def keep(run: Run) -> bool:
        return (run_type is None or run.fields["runType"] == run_type) and (
            status is None or run.status == status
        )

    picked = (
        _page_by_id(pool, cursor, direction, limit, keep)
        if order_by == "id"
        else _page_by_time(pool, order_by, cursor, direction, limit, keep)
    )
    more = len(picked) > limit
    picked = picked[:limit]
    body: dict[str, Any] = {
        "limit": limit,
        "orderByDirection": direction,
        "orderBy": order_by,
        "data": [ctx.show(run, detail=detail) for run in picked],
    }
    if more:
        last = picked[-1]
        body["next"] = str(last.id) if order_by == "id" else iso_seconds(_time_key(last, order_by))
    return ctx.json(body)


def _page_by_id(
    pool: list[Run], cursor: int | None, direction: str, limit: int, keep: Any
) -> list[Run]:
    """Up to limit + 1 runs past the exclusive cursor; ``pool`` is ascending by id."""
    out: list[Run] = []
    if direction == "desc":
        i = len(pool) - 1 if cursor is None else bisect.bisect_left(pool, cursor, key=_id) - 1
        while i >= 0 and len(out) <= limit:
            if keep(pool[i]):
                out.append(pool[i])
            i -= 1
    else:
        i = 0 if cursor is None else bisect.bisect_right(pool, cursor, key=_id)
        while i < len(pool) and len(out) <= limit:
            if keep(pool[i]):
                out.append(pool[i])
            i += 1
    return out


def _id(run: Run) -> int:
    return run.id  # type: ignore[return-value]


def _time_key(run: Run, order_by: str) -> Any:
    return run.started_at_ if order_by == "runStartTime" else run.ended_at_


def _page_by_time(
    pool: list[Run], order_by: str, cursor: Any, direction: str, limit: int, keep: Any
) -> list[Run]:
    desc = direction == "desc"
    timed = [r for r in pool if _time_key(r, order_by) is not None and keep(r)]
    if cursor is not None:
        if desc:
            timed = [r for r in timed if _time_key(r, order_by) < cursor]
        else:
            timed = [r for r in timed if _time_key(r, order_by) > cursor]
    timed.sort(key=lambda r: (_time_key(r, order_by), r.id), reverse=desc)
    return timed[: limit + 1]


# -- GET /api/v1/runs/{runID} --------------------------------------------------------------


def get_run(ctx: Context) -> Response:
    run_id = parse_int(ctx.params["runID"])
    if run_id is None:
        raise ctx.fail(400, "runID must be an integer")
    run = ctx.vendor.store.get(run_id)
    if run is None:
        raise ctx.fail(404, f"Run {run_id} was not found.")
    return ctx.json(ctx.show(run, detail=True))


# -- scheduler -----------------------------------------------------------------------------


def _json_object(ctx: Context) -> dict[str, Any]:
    ok, body = ctx.body_json()
    if not ok or not isinstance(body, dict):
        raise ctx.fail(400, "The request body must be a JSON object.")
    return body


def _credentials(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    creds = body.get("userCredentials")
    if not isinstance(creds, dict):
        raise ctx.fail(400, "userCredentials is required and must be an object")
    for name in ("snowflakeUsername", "snowflakePassword", "snowflakeKeyPairKey",
                 "snowflakeKeyPairPass", "snowflakeWarehouse", "snowflakeRole"):
        if name in creds and not isinstance(creds[name], str):
            raise ctx.fail(400, f"userCredentials.{name} must be a string")
    auth = creds.get("snowflakeAuthType", "Basic")
    if auth not in AUTH_TYPES:
        raise ctx.fail(400, f"userCredentials.snowflakeAuthType must be one of {one_of(AUTH_TYPES)}")
    needed = {"Basic": ("snowflakeUsername", "snowflakePassword"),
              "KeyPair": ("snowflakeKeyPairKey",), "OAuth": ()}[auth]
    for name in needed:
        if not creds.get(name):
            raise ctx.fail(400, f"userCredentials.{name} is required when snowflakeAuthType "
                                f"is {auth}")
    return creds


def _parameters(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    params = body.get("parameters", {})
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise ctx.fail(400, "parameters must be an object")
    return params


def _public_credentials(parent: Parent, creds: dict[str, Any], fallback: dict[str, Any]) -> Any:
    return {
        "snowflakeAccount": parent.data["snowflakeAccount"],
        "snowflakeAuthType": creds.get("snowflakeAuthType", "Basic"),
        "snowflakeUsername": creds.get("snowflakeUsername") or fallback["snowflakeUsername"],
        "snowflakeRole": creds.get("snowflakeRole") or fallback["snowflakeRole"],
        "snowflakeWarehouse": creds.get("snowflakeWarehouse") or fallback["snowflakeWarehouse"],
    }


def _new_refresh(
    ctx: Context, parent: Parent, creds: dict[str, Any], params: dict[str, Any], **extra: Any
) -> Run:
    vendor = ctx.vendor
    run = vendor.create_run({"runType": "refresh", **extra}, parent=parent)
    run.fields["userCredentials"] = _public_credentials(
        parent, creds, run.fields["userCredentials"]
    )
    run.fields["runTimeParameters"] = params
    return run


def start_run(ctx: Context) -> Response:
    body = _json_object(ctx)
    details = body.get("runDetails")
    if not isinstance(details, dict):
        raise ctx.fail(400, "runDetails is required and must be an object")
    env = details.get("environmentID")
    if not isinstance(env, str) or not env:
        raise ctx.fail(400, "runDetails.environmentID is required and must be a string")
    extra: dict[str, Any] = {}
    for name in ("jobID", "includeNodesSelector", "excludeNodesSelector"):
        if name in details:
            if not isinstance(details[name], str):
                raise ctx.fail(400, f"runDetails.{name} must be a string")
            extra[name] = details[name]
    if "parallelism" in details:
        par = details["parallelism"]
        if isinstance(par, bool) or not isinstance(par, int) or not 1 <= par <= 1024:
            raise ctx.fail(400, "runDetails.parallelism must be an integer from 1 to 1024")
        extra["parallelism"] = par
    force = details.get("forceIgnoreWorkspaceStatus")
    if force is not None and not isinstance(force, bool):
        raise ctx.fail(400, "runDetails.forceIgnoreWorkspaceStatus must be true or false")
    creds = _credentials(ctx, body)
    params = _parameters(ctx, body)
    parent = ctx.vendor.store.parent(env)
    if parent is None:
        raise ctx.fail(400, f"Environment {env} was not found.")
    run = _new_refresh(ctx, parent, creds, params, **extra)
    return ctx.json({"runCounter": run.id})


def _run_number(ctx: Context, value: object, name: str) -> int:
    number = parse_int(value) if not isinstance(value, int) or isinstance(value, bool) else value
    if number is None or number < 0:
        raise ctx.fail(400, f"{name} must be a non-negative integer")
    return number


def run_status(ctx: Context) -> Response:
    raw = ctx.query.get("runCounter")
    if raw is None:
        raise ctx.fail(400, "runCounter is required")
    number = _run_number(ctx, raw, "runCounter")
    run = ctx.vendor.store.get(number)
    if run is None:
        raise ctx.fail(400, f"Run {number} was not found.")
    shown = ctx.show(run)
    return ctx.json(
        {
            "runStatus": shown["runStatus"],
            "runType": shown["runType"],
            "runLink": f"{ctx.root}/runs/{run.id}",
        }
    )


def cancel_run(ctx: Context) -> Response:
    body = _json_object(ctx)
    if "runID" not in body:
        raise ctx.fail(400, "runID is required")
    number = _run_number(ctx, body["runID"], "runID")
    org = body.get("orgID")
    if not isinstance(org, str) or not org:
        raise ctx.fail(400, "orgID is required and must be a string")
    env = body.get("environmentID")
    if not isinstance(env, str) or not env:
        raise ctx.fail(400, "environmentID is required and must be a string")
    run = ctx.vendor.store.get(number)
    if run is None:
        raise ctx.fail(400, f"Run {number} was not found.")
    if run.fields["environmentID"] != env:
        raise ctx.fail(400, f"Run {number} does not belong to environment {env}.")
    run._catch_up()
    if run.state_.terminal:
        raise ctx.fail(400, f"Run {number} is not in progress.")
    run.cancel()
    return Response(204, {}, b"")


def rerun(ctx: Context) -> Response:
    body = _json_object(ctx)
    details = body.get("runDetails")
    if not isinstance(details, dict) or "runID" not in details:
        raise ctx.fail(400, "runDetails.runID is required")
    number = _run_number(ctx, details["runID"], "runDetails.runID")
    creds = _credentials(ctx, body)
    params = _parameters(ctx, body)
    original = ctx.vendor.store.get(number)
    if original is None:
        raise ctx.fail(400, f"Run {number} was not found.")
    original._catch_up()
    if not original.state_.terminal:
        raise ctx.fail(400, f"Run {number} is still in progress; only an ended run can be re-run.")
    parent = ctx.vendor.store.parents[original.parent]
    run = _new_refresh(ctx, parent, creds, params, reRunID=str(original.id))
    return ctx.json({"runCounter": run.id})
