"""ArcGIS Enterprise administrator API: system task runs (contracts/arcgis.md)."""

from __future__ import annotations

import datetime as _dt
import html
from typing import TYPE_CHECKING, Any, cast

from .._definition import Context, VendorDefinition
from .._errors import FakeRunsError
from .._generator import Gen
from .._http import SHARED_SLOT, Response
from .._router import Route
from .._run import Run
from .._states import State
from .._store import Parent
from .._vocabulary import Position, Step, Vocabulary
from ._arcgis_format import JSON_TYPE, output_format, render, us_date
from ._arcgis_routes import (
    RUN_PATH,
    RUNS_PATH,
    UPDATE_PATH,
    get_run,
    list_runs,
    method_not_supported,
    update_run,
)
from ._arcgis_task import (
    DEFAULT_TYPE,
    set_type,
    succeeded_text,
    task_data,
    task_object,
    with_task,
)

if TYPE_CHECKING:
    from .._vendor_fake import VendorFake

# status -> (code in the envelope, default message); REAL_HTTP statuses are not carried in 200
ERRORS: dict[int, tuple[int, str]] = {
    400: (400, "Invalid or missing input parameters."),
    401: (498, "Invalid token."),
    403: (403, "You do not have permissions to access this resource or perform this operation."),
    404: (404, "Could not find resource or operation on the system."),
    405: (405, "Method not supported."),
    409: (409, "The operation conflicts with the current state of the resource."),
    410: (410, "This resource is no longer available."),
    429: (429, "Too many requests."),
    500: (500, "Unable to complete operation."),
    502: (502, "Bad gateway."),
    503: (503, "Service unavailable."),
    504: (504, "Gateway timeout."),
}
REAL_HTTP = frozenset({410, 429, 502, 503, 504})
FAILED_TEXT = "Task execution failed."
RUN_FIELDS = ("result", "taskType")


def _created(run: Run) -> tuple[_dt.datetime, Any]:
    return (run.created_at_, run.id)


class ArcGIS(VendorDefinition):
    name = "arcgis"
    default_base_url = "https://organization.domain.com/context/admin"
    parent_keyword = "task_id"
    parent_aliases = ("taskID", "taskId")
    id_field = "runId"
    content_type = JSON_TYPE
    vocabulary = Vocabulary(
        steps=(
            Step("scheduled", State.WAITING),
            Step("executing", State.RUNNING),
        ),
        terminal_words={
            State.COMPLETED: "succeeded",
            State.FAILED: "failed",
            State.CANCELED: "skipped",
        },
        durations={State.WAITING: 30.0, State.RUNNING: 20.0},
        extra_words={"submitfailed": State.FAILED},
        unstarted_words=frozenset({"submitfailed"}),
        status_field="status",
    )
    indexes = {"created": _created}
    cache_serialized = True  # serialize(run, own=True) depends on the run alone
    openapi_module = "._arcgis_openapi"

    def routes(self) -> list[Route]:
        return [
            Route("GET", RUNS_PATH, list_runs, list_route=True),
            Route("POST", RUNS_PATH, list_runs, list_route=True),
            Route("GET", RUN_PATH, get_run),
            Route("POST", RUN_PATH, get_run),
            Route("POST", UPDATE_PATH, update_run),
            Route("GET", UPDATE_PATH, method_not_supported, auth=False),
        ]

    def authenticate(self, ctx: Context) -> None:
        """``token`` in the query (GET) or the form body (POST), or X-Esri-Authorization."""
        if ctx.request.method == "POST":
            form = ctx.form()
            token = form.get("token") if form else None
        else:
            token = ctx.query.get("token")
        if token:
            return
        header = ctx.request.headers.get("X-Esri-Authorization")
        if header is not None:
            scheme, _, value = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise ctx.fail(401)
            return
        if ctx.vendor.require_auth:
            raise ctx.fail(401, "Token Required", code=499)

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        code, default = ERRORS.get(status, (status, "Unable to complete operation."))
        if message is None and status == 404:
            message = _not_found(ctx)
        text = message or default
        body = {
            "error": {
                "code": extra.get("code", code),
                "message": text,
                "details": list(extra.get("details", [])),
            }
        }
        fmt = output_format(ctx)
        details = "".join(f"<li>{html.escape(str(d))}</li>" for d in body["error"]["details"])
        page = f"<p>Error: {html.escape(str(text))} (code {body['error']['code']})</p>" + (
            f"<ul>{details}</ul>" if details else ""
        )
        http = status if status in REAL_HTTP else 200
        return render(body, fmt, http, title="Error", html_body=lambda: page)

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        default_key = gen.hex(32, gen.derived("task:None"))
        if key is None:
            key = default_key
        rng = gen.derived(f"task:{key}")
        owner = gen.hex(32, gen.derived("owner"))
        org = gen.hex(16, gen.derived("org")).upper()
        return key, task_data(rng, owner, org, DEFAULT_TYPE)

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        if not given:
            return {}
        unknown = sorted(set(given) - set(RUN_FIELDS))
        if unknown:
            raise FakeRunsError(
                f"arcgis add_run() got unknown field(s) {', '.join(unknown)}; allowed: "
                "state/status, outcome, created_at, durations, reason, task_id/taskID, runId, "
                f"{', '.join(RUN_FIELDS)}"
            )
        task_type = given.get("taskType")
        if task_type is not None and task_type != parent.data["taskType"]:
            if parent.runs:
                raise FakeRunsError(
                    f"arcgis task {parent.key!r} is a {parent.data['taskType']} task with runs; "
                    f"taskType={task_type!r} can only be chosen for a new task"
                )
            set_type(parent.data, task_type)
        fields: dict[str, Any] = {}
        if "result" in given:
            if not isinstance(given["result"], str):
                raise FakeRunsError(f"arcgis result= takes a string, not {given['result']!r}")
            fields["result"] = given["result"]
        return fields

    def new_run_id(self, gen: Gen) -> str:
        return gen.hex(32)

    def serialize(
        self, run: Run, own: bool = False, slot: bool = False, **options: Any
    ) -> Any:
        """The run object; ``own=True``: without ``task`` (it depends on the run alone, so
        ``ctx.show`` caches it; handlers add the page's task with :func:`with_task`);
        ``slot=True``: the task's place holds ``SHARED_SLOT``, filled per page."""
        vendor = cast("VendorFake", run._owner)
        parent = vendor.store.parents[run.parent]
        if slot:
            return with_task(self.serialize(run, own=True), SHARED_SLOT)  # type: ignore[arg-type]
        if own:
            return {
                "result": result_text(run, parent.data),
                "created": us_date(run.created_at_),
                "modified": us_date(run.updated_at),
                "runId": run.id,
                "url": "",
                "status": run.status,
            }
        vendor.store.catch_up()  # the task's `updated` counts every transition due by now
        return with_task(self.serialize(run, own=True), task_object(parent))

    def history_mix(self) -> list[tuple[float, str, bool]]:
        return [
            (0.86, "succeeded", True),
            (0.05, "failed", True),
            (0.03, "submitfailed", False),
            (0.04, "skipped", False),
            (0.02, "skipped", True),
            (0.5, "executing", True),
            (0.5, "scheduled", True),
        ]


def result_text(run: Run, task: dict[str, Any]) -> str:
    text = run.fields.get("result")
    if run.state_ is State.COMPLETED:
        return text if text is not None else succeeded_text(task)
    if run.state_ is State.FAILED:
        return run.reason or text or FAILED_TEXT
    return text or ""


def _not_found(ctx: Context) -> str:
    if "runID" in ctx.params:
        return f"Run '{ctx.params['runID']}' not found."
    if "taskID" in ctx.params:
        return f"Task '{ctx.params['taskID']}' not found."
    segment = ctx.path.rstrip("/").rsplit("/", 1)[-1]
    return f"Could not find resource or operation '{segment}' on the system."

