"""Workiva Platform API: the definition (docs/contracts/workiva.md).

Class data, vocabulary, the default deprecation of the list, the routes table, bearer auth and
the error envelope. The list handler lives in ``handlers``, the token endpoint in ``token``;
scripts, run fields and the run object in ``data``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pytest_fakeruns.vendor_kit import (
    Context,
    DeprecationSpec,
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
from .handlers import LIST_PATH, X_VERSION, created_key, list_runs
from .token import TOKEN_PATH, check_token, issue_token

_UTC = _dt.timezone.utc
DEPRECATED_AT = _dt.datetime(2026, 2, 12, tzinfo=_UTC)
SUNSET_AT = _dt.datetime(2027, 1, 31, tzinfo=_UTC)

ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "400BadRequest",
        "The request was unacceptable, often due to a missing or invalid parameter",
    ),
    401: ("401Unauthorized", "No valid API token provided"),
    403: ("403Forbidden", "The API token does not have permissions to perform the request"),
    404: ("404NotFound", "The requested resource could not be found"),
    409: ("409Conflict", "The request conflicts with another request"),
    410: ("410Gone", "This endpoint was sunset on {sunset} and is no longer available"),
    429: (
        "429TooManyRequests",
        "Too many requests have been made against the API in too short a time",
    ),
    500: (
        "500InternalServerError",
        "The server encountered an unexpected condition that prevented it from fulfilling "
        "the request",
    ),
    502: ("502BadGateway", "The server received an invalid response from an upstream server"),
    503: (
        "503ServiceUnavailable",
        "The server cannot handle the request due to a temporary overload or scheduled maintenance",
    ),
    504: (
        "504GatewayTimeout",
        "The server did not receive a timely response from an upstream server",
    ),
}


class Workiva(VendorDefinition):
    name = "workiva"
    default_base_url = "https://api.app.wdesk.com"
    parent_keyword = "script_id"
    parent_aliases = ("scriptId",)
    id_field = "id"
    cache_serialized = True
    openapi_module = ".openapi"
    vocabulary = Vocabulary(
        steps=(
            Step("queued", State.WAITING),
            Step("started", State.RUNNING),
        ),
        terminal_words={
            State.COMPLETED: "completed",
            State.FAILED: "failed",
            State.CANCELED: "cancelled",
        },
        durations={State.WAITING: 2.0, State.RUNNING: 10.0},
        status_field="status",
    )
    indexes = {"created": created_key}
    default_deprecations = (DeprecationSpec(DEPRECATED_AT, SUNSET_AT),)

    def routes(self) -> list[Route]:
        return [
            Route("GET", LIST_PATH, list_runs, list_route=True),
            Route("POST", TOKEN_PATH, issue_token, auth=False),
        ]

    def authenticate(self, ctx: Context) -> None:
        header = ctx.request.headers.get("Authorization")
        if header is None:
            if ctx.vendor.require_auth:
                raise ctx.fail(401)
            return
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ctx.fail(401)
        check_token(ctx, token)

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        code, default = ERRORS.get(status, (f"{status}Error", "The request failed"))
        if status == 410:
            default = _sunset_message(ctx)
        body: dict[str, Any] = {"code": code, "message": default}
        if status == 400 and message is not None:
            # a validation failure names its parameter (contract §3.1 example, key order too)
            body["details"] = [
                {"code": "InvalidParameter", "message": message, "target": extra.get("target")}
            ]
        headers: dict[str, str] = {}
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if ctx.route is not None and ctx.route.list_route:
            headers["X-Version"] = X_VERSION
        return json_response(body, status, self.content_type, headers)

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        return data.new_parent(gen, key)

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        return data.run_fields(gen, parent, given, at)

    def serialize(self, run: Run, **options: Any) -> Any:
        return data.serialize(run)


def _sunset_message(ctx: Context) -> str:
    """The 410 text names the sunset of the deprecation that answered (a test may set its own)."""
    sunset = SUNSET_AT
    if ctx.route is not None:
        dep = ctx.vendor.deprecation_for(ctx.route, ctx.path)
        if dep is not None and dep.sunset_at is not None:
            sunset = dep.sunset_at
    return ERRORS[410][1].format(sunset=sunset.date().isoformat())
