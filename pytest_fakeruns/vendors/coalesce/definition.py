"""Coalesce API: the definition (docs/contracts/coalesce.md).

Class data, vocabulary, the routes table, bearer auth and the error envelope. The ``/api/v1/runs``
handlers live in ``handlers``, the ``/scheduler`` ones in ``scheduler``; parents, generated
fields and the two run shapes in ``data``.
"""

from __future__ import annotations

from typing import Any

from pytest_fakeruns.vendor_kit import (
    Context,
    Gen,
    Response,
    Route,
    Run,
    State,
    Step,
    VendorDefinition,
    Vocabulary,
    json_response,
)

from . import data
from .handlers import get_run, list_runs
from .scheduler import cancel_run, rerun, run_status, start_run

CONTENT_TYPE = "application/json; charset=utf-8"

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


class Coalesce(VendorDefinition):
    name = "coalesce"
    openapi_module = ".openapi"
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
        return data.new_parent(gen, key)

    run_fields = staticmethod(data.run_fields)  # no delegating frame per generated run

    def serialize(self, run: Run, detail: bool = False, **options: Any) -> Any:
        return data.serialize(run, detail)

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
