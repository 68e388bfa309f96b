"""Catch Software Enterprise Tester: the definition (docs/contracts/enterprise-tester.md).

Class data, vocabulary, the routes table and the error envelope (auth is checked by the
handlers, after ASP.NET-style routing). Handlers live in ``handlers``; ``$filter``/``$orderby``
and paging in ``query`` (over the parser in ``vendors/common/odata``); people, scripts,
assignments (the parent), run fields and the run object in ``data``.
"""

from __future__ import annotations

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
    json_response,
)

from . import data
from .handlers import REQUEST_INVALID, create_run, get_run, list_runs

CONTENT_TYPE = "application/json; charset=utf-8"
REALM = 'Basic realm="Enterprise Tester"'

MESSAGES: dict[int, str] = {
    400: REQUEST_INVALID,
    401: "Authorization has been denied for this request.",
    403: "You do not have the permissions required for this operation.",
    409: "The run was changed by another request.",
    410: "This resource is no longer available.",
    429: "Too many requests.",
    500: "An error has occurred.",
    502: "Bad gateway.",
    503: "Service unavailable.",
    504: "Gateway timeout.",
}


class EnterpriseTester(VendorDefinition):
    name = "enterprise_tester"
    openapi_module = ".openapi"
    default_base_url = "http://localhost"
    parent_keyword = "assignment_id"
    parent_aliases = ("AssignmentId",)
    id_field = "Id"
    content_type = CONTENT_TYPE
    cache_serialized = True
    vocabulary = Vocabulary(
        steps=(
            Step("Not Run", State.WAITING),
            Step("In Progress", State.RUNNING),
        ),
        terminal_words={
            State.COMPLETED: "Passed",
            State.FAILED: "Failed",
            State.CANCELED: "Blocked",
        },
        durations={State.WAITING: 2.0, State.RUNNING: 300.0},
        extra_words={"Undetermined": State.COMPLETED},
        status_field="Status",
    )

    def routes(self) -> list[Route]:
        # auth=False: ASP.NET routing (a {id} that is no GUID matches nothing) comes first
        return [
            Route("GET", "/api/scriptassignment/{id}/runs", list_runs, auth=False, list_route=True),
            Route("POST", "/api/scriptassignment/{id}/runs", create_run, auth=False),
            Route("GET", "/api/scriptrun/{id}", get_run, auth=False),
        ]

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        if message is None:
            message = _default_message(ctx, status)
        body: dict[str, Any] = {"Message": message}
        if extra.get("detail"):
            body["MessageDetail"] = extra["detail"]
        headers = {"WWW-Authenticate": REALM} if status == 401 else None
        return json_response(body, status, CONTENT_TYPE, headers)

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        return data.new_parent(gen, key)

    def canonical_id(self, value: str) -> str:
        return data.guid_field("Id", value)

    def canonical_parent(self, key: str) -> str:
        return data.guid(key) or key

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        return data.run_fields(gen, parent, given, at)

    def serialize(
        self,
        run: Run,
        expand: frozenset[str] = frozenset(),
        root: str | None = None,
        **options: Any,
    ) -> Any:
        return data.run_object(run, expand, root)

    def history_mix(self) -> list[tuple[float, str, bool]]:
        # Undetermined only when asked for (contract section 5)
        return [
            (0.66, "Passed", True),
            (0.19, "Failed", True),
            (0.06, "Blocked", True),
            (0.03, "Blocked", False),
            (0.04, "In Progress", True),
            (0.02, "Not Run", True),
        ]


def _default_message(ctx: Context, status: int) -> str:
    if status == 404:
        if ctx.route is None:
            return f"No HTTP resource was found that matches the request URI '{ctx.request.url}'."
        raw = ctx.params.get("id", "")
        ident = data.guid(raw) or raw
        if ctx.route.template.startswith("/api/scriptrun"):
            return f"Script run {ident} was not found."
        return f"Script assignment {ident} was not found."
    return MESSAGES.get(status, "An error has occurred.")
