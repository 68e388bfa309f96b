"""ArcGIS Enterprise administrator API: the definition (docs/contracts/arcgis.md).

Class data, vocabulary, the routes table, token auth and the error envelope (in the three output
formats of ``formats``). Handlers live in ``handlers``; tasks (the parent), run fields and the
run object in ``data``.
"""

from __future__ import annotations

import datetime as _dt
import html
from typing import Any

from pytest_fakeruns.vendor_kit import (
    Context,
    Gen,
    Parent,
    Position,
    Response,
    Route,
    Run,
    State,
    Step,
    VendorDefinition,
    Vocabulary,
)

from . import data
from .formats import JSON_TYPE, output_format, render
from .handlers import (
    RUN_PATH,
    RUNS_PATH,
    UPDATE_PATH,
    get_run,
    list_runs,
    method_not_supported,
    update_run,
)

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
    openapi_module = ".openapi"

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
        return data.new_parent(gen, key)

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        return data.run_fields(gen, parent, given, at)

    def new_run_id(self, gen: Gen) -> str:
        return gen.hex(32)

    def serialize(self, run: Run, own: bool = False, slot: bool = False, **options: Any) -> Any:
        return data.serialize(run, own, slot)

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


def _not_found(ctx: Context) -> str:
    if "runID" in ctx.params:
        return f"Run '{ctx.params['runID']}' not found."
    if "taskID" in ctx.params:
        return f"Task '{ctx.params['taskID']}' not found."
    segment = ctx.path.rstrip("/").rsplit("/", 1)[-1]
    return f"Could not find resource or operation '{segment}' on the system."
