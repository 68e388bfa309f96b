"""Coalesce API: runs and the job scheduler (contracts/coalesce.md).

This module holds the vendor's data (vocabulary, envelopes, generated fields), the two run
shapes and the ``/api/v1/runs`` routes; the ``/scheduler`` routes live in
``_coalesce_scheduler``.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable
from operator import attrgetter
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
from ._coalesce_scheduler import DEFAULT_PARALLELISM, cancel_run, rerun, run_status, start_run

CONTENT_TYPE = "application/json; charset=utf-8"
ORDER_BY = ("id", "runStartTime", "runEndTime")
DIRECTIONS = ("asc", "desc")
RUN_TYPES = ("deploy", "refresh")
STATUSES = ("canceled", "completed", "failed", "initializing", "rendering", "running",
            "waitingToRun")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 25
PUBLIC_CREDENTIALS = ("snowflakeAccount", "snowflakeAuthType", "snowflakeUsername",
                      "snowflakeRole", "snowflakeWarehouse")

# status -> (errorString, default errorDetail), contract section 7
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

# vendor fields add_run accepts (besides the canonical keys and environment_id/environmentID)
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
    cache_serialized = True
    distinct_instants = True
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
        if message is None and status == 404:
            if ctx.route is None:
                message = f"No route matches {ctx.request.method} {ctx.path}."
            elif "runID" in ctx.params:
                message = f"Run {ctx.params['runID']} was not found."
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
        rnd = gen.rng.random
        run_type = given.pop("runType", None) or ("deploy" if rnd() < 0.2 else "refresh")
        if run_type not in RUN_TYPES:
            raise FakeRunsError(f"runType={run_type!r}; use one of {one_of(RUN_TYPES)}")
        given_creds = given.pop("userCredentials", None) or {}
        if not isinstance(given_creds, dict):
            raise FakeRunsError("userCredentials is a dict like {'snowflakeRole': 'LOADER'}")
        shared = _credentials(gen, parent)
        creds = shared[int(rnd() * len(shared))]
        if given_creds:
            creds = {**creds, **given_creds}  # what is not given keeps its generated value
        fields: dict[str, Any] = {
            "runType": run_type,
            "environmentID": parent.key,
            "parallelism": DEFAULT_PARALLELISM,
            "nodesInRun": 3 + int(rnd() * 238),
            "runTimeParameters": {},
            "userID": parent.data["userID"],
            "userCredentials": creds,  # shared by the parent's runs: never mutated
        }
        if run_type == "deploy":
            fields["deployCommit"] = gen.hex(40)
            fields["deployCommitMessage"] = gen.pick("commits", 12, _commit_message)
        else:
            fields["jobID"] = str(1 + int(rnd() * 30))
            fields["includeNodesSelector"] = ""
            fields["excludeNodesSelector"] = ""
        if at.state is State.FAILED and "runFailureReason" not in given:
            fields["runFailureReason"] = FAILURE_REASONS[int(rnd() * len(FAILURE_REASONS))]
        fields.update(given)
        return fields

    def serialize(self, run: Run, detail: bool = False, **options: Any) -> Any:
        return full_run(run) if detail else summary_run(run)

    def history_mix(self) -> list[tuple[float, str, bool]]:
        return [
            (0.78, "completed", True),
            (0.12, "failed", True),
            (0.03, "canceled", True),
            (0.02, "canceled", False),
            (0.01, "initializing", True),
            (0.02, "running", True),
            (0.02, "waitingToRun", True),
        ]


def _credentials(gen: Gen, parent: Parent) -> list[dict[str, str]]:
    """The environment's few Snowflake logins, made once per parent."""
    found: list[dict[str, str]] | None = parent.data.get("_credentials")
    if found is None:
        found = [
            {
                "snowflakeAccount": parent.data["snowflakeAccount"],
                "snowflakeAuthType": "Basic",
                "snowflakeUsername": user,
                "snowflakeRole": "TRANSFORMER",
                "snowflakeWarehouse": "TRANSFORM_WH",
            }
            for user in gen.pool("users", 6, _snowflake_user)
        ]
        parent.data["_credentials"] = found
    return found


def _snowflake_user(faker: Any) -> str:
    return str(faker.user_name()).upper()


def _commit_message(faker: Any) -> str:
    return str(faker.sentence(nb_words=6)).rstrip(".")


# -- the two shapes of a run (contract section 4) --------------------------------------------


def summary_run(run: Run) -> dict[str, Any]:
    """One item of the list with ``detail=false``; also ``run.to_json()``."""
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
    if run.state_ is State.FAILED:
        out["runFailureReason"] = (
            run.reason or f.get("runFailureReason") or FAILURE_REASONS[0]
        )
    return out


def full_run(run: Run) -> dict[str, Any]:
    """The run object of ``GET /api/v1/runs/{runID}`` and of ``detail=true``."""
    f = run.fields
    canceled = run.state_ is State.CANCELED
    details: dict[str, Any]
    if f["runType"] == "deploy":
        details = {
            "deployCommit": f.get("deployCommit", ""),
            "deployCommitMessage": f.get("deployCommitMessage", ""),
            "environmentID": f["environmentID"],
            "canceled": canceled,
            "parallelism": f.get("parallelism", DEFAULT_PARALLELISM),
            "nodesInRun": f.get("nodesInRun", 0),
        }
    else:
        details = {
            "environmentID": f["environmentID"],
            "canceled": canceled,
            "includeNodesSelector": f.get("includeNodesSelector", ""),
            "excludeNodesSelector": f.get("excludeNodesSelector", ""),
            "jobID": f.get("jobID", ""),
            "parallelism": f.get("parallelism", DEFAULT_PARALLELISM),
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
    creds = f["userCredentials"]
    out["userCredentials"] = {k: creds[k] for k in PUBLIC_CREDENTIALS if k in creds}
    out["userID"] = f["userID"]
    return out


# -- GET /api/v1/runs ------------------------------------------------------------------------


def _enum(ctx: Context, name: str, allowed: tuple[str, ...]) -> str | None:
    value = ctx.query.get(name)
    if value is not None and value not in allowed:
        raise ctx.fail(400, f"{name} must be one of {one_of(allowed)}")
    return value


def list_runs(ctx: Context) -> Response:
    q = ctx.query
    limit = DEFAULT_LIMIT
    if "limit" in q:
        parsed = parse_int(q["limit"])
        if parsed is None or not 1 <= parsed <= MAX_LIMIT:
            raise ctx.fail(400, f"limit must be an integer from 1 to {MAX_LIMIT}")
        limit = parsed
    order_by = _enum(ctx, "orderBy", ORDER_BY) or "id"
    desc = (_enum(ctx, "orderByDirection", DIRECTIONS) or "desc") == "desc"
    cursor: Any = None
    if "startingFrom" in q:
        raw = q["startingFrom"]
        cursor = parse_int(raw) if order_by == "id" else parse_instant(raw)
        if cursor is None:
            wanted = "a run ID (an integer)" if order_by == "id" else "an ISO 8601 date-time"
            raise ctx.fail(400, f"startingFrom must be {wanted} when orderBy={order_by}")
    run_type = _enum(ctx, "runType", RUN_TYPES)
    status = _enum(ctx, "runStatus", STATUSES)
    detail = False
    if "detail" in q:
        flag = parse_bool(q["detail"])
        if flag is None:
            raise ctx.fail(400, "detail must be true or false")
        detail = flag

    store = ctx.vendor.store
    store.catch_up()
    env = q.get("environmentID")
    pool = store.runs  # ascending by id, as every list of runs in the store
    if env is not None:
        parent = store.parent(env)
        pool = parent.runs if parent is not None else []  # unknown: an empty page, no 404

    def keep(run: Run) -> bool:
        return (run_type is None or run.fields["runType"] == run_type) and (
            status is None or run.status == status
        )

    if order_by == "id":
        unfiltered = run_type is None and status is None
        page, next_key = _page_by_id(pool, cursor, desc, limit, None if unfiltered else keep)
    else:
        page, next_key = _page_by_time(pool, _TIME_KEYS[order_by], cursor, desc, limit, keep)
    body: dict[str, Any] = {
        "limit": limit,
        "orderByDirection": "desc" if desc else "asc",
        "orderBy": order_by,
        "data": None,  # filled from the runs' cached fragments, here in key order
    }
    if next_key is not None:
        body["next"] = next_key
    return ctx.json_with_runs(body, "data", page, detail=detail)


def _id(run: Run) -> int:
    return int(run.id)


def _page_by_id(
    pool: list[Run],
    cursor: int | None,
    desc: bool,
    limit: int,
    keep: Callable[[Run], bool] | None,
) -> tuple[list[Run], str | None]:
    """A page past the exclusive cursor and its ``next``; ``pool`` is ascending by id.

    ``keep`` None: no filter, the page is a slice (the usual list call)."""
    if desc:
        end = len(pool) if cursor is None else bisect.bisect_left(pool, cursor, key=_id)
        if keep is None:
            start = max(0, end - limit)
            newest = pool[start:end][::-1]
            return newest, str(newest[-1].id) if start > 0 else None
        walk = (pool[i] for i in range(end - 1, -1, -1))
    else:
        start = 0 if cursor is None else bisect.bisect_right(pool, cursor, key=_id)
        if keep is None:
            oldest = pool[start : start + limit]
            return oldest, str(oldest[-1].id) if start + limit < len(pool) else None
        walk = (pool[i] for i in range(start, len(pool)))
    page: list[Run] = []
    for run in walk:
        if keep(run):
            if len(page) == limit:
                return page, str(page[-1].id)
            page.append(run)
    return page, None


_TIME_KEYS: dict[str, Callable[[Run], Any]] = {
    "runStartTime": attrgetter("started_at_"),
    "runEndTime": attrgetter("ended_at_"),
}


def _page_by_time(
    pool: list[Run],
    stamp: Callable[[Run], Any],
    cursor: Any,
    desc: bool,
    limit: int,
    keep: Callable[[Run], bool],
) -> tuple[list[Run], str | None]:
    """A page of the runs that have the timestamp, keyed on the instant as shown (whole
    seconds) then id; runs on the cursor's instant are past it, as with the real API."""
    bound = None if cursor is None else cursor.timestamp()
    keyed: list[tuple[int, int, Run]] = []
    for run in pool:
        moment = stamp(run)
        if moment is None or not keep(run):
            continue
        second = math.floor(moment.timestamp())
        if bound is None or (second < bound if desc else second > bound):
            keyed.append((second, _id(run), run))
    pick = heapq.nlargest if desc else heapq.nsmallest
    page = pick(limit, keyed)
    if not page:
        return [], None
    last = page[-1][0]
    follows = any(k[0] < last if desc else k[0] > last for k in keyed)
    return [k[2] for k in page], iso_seconds(stamp(page[-1][2])) if follows else None


# -- GET /api/v1/runs/{runID} ----------------------------------------------------------------


def get_run(ctx: Context) -> Response:
    run_id = parse_int(ctx.params["runID"])
    if run_id is None:
        raise ctx.fail(400, "runID must be an integer")
    run = ctx.run_or_fail(run_id, 404, f"Run {run_id} was not found.")
    return ctx.json(ctx.show(run, detail=True))
