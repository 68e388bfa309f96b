"""Workiva Platform API: the deprecated prototype script-runs list and the token endpoint
(contracts/workiva.md)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .._definition import Context, DeprecationSpec, VendorDefinition
from .._errors import FakeRunsError
from .._generator import Gen
from .._http import Response, json_response
from .._params import iso_seconds
from .._router import Route
from .._run import Run
from .._states import State
from .._store import Parent
from .._vocabulary import Position, Step, Vocabulary
from ._workiva_list import LIST_PATH, X_VERSION, created_key, list_runs
from ._workiva_token import TOKEN_PATH, check_token, issue_token

_UTC = _dt.timezone.utc
DEPRECATED_AT = _dt.datetime(2026, 2, 12, tzinfo=_UTC)
SUNSET_AT = _dt.datetime(2027, 1, 31, tzinfo=_UTC)

ERRORS: dict[int, tuple[str, str]] = {
    400: ("400BadRequest",
          "The request was unacceptable, often due to a missing or invalid parameter"),
    401: ("401Unauthorized", "No valid API token provided"),
    403: ("403Forbidden", "The API token does not have permissions to perform the request"),
    404: ("404NotFound", "The requested resource could not be found"),
    409: ("409Conflict", "The request conflicts with another request"),
    410: ("410Gone", "This endpoint was sunset on {sunset} and is no longer available"),
    429: ("429TooManyRequests",
          "Too many requests have been made against the API in too short a time"),
    500: ("500InternalServerError",
          "The server encountered an unexpected condition that prevented it from fulfilling "
          "the request"),
    502: ("502BadGateway", "The server received an invalid response from an upstream server"),
    503: ("503ServiceUnavailable",
          "The server cannot handle the request due to a temporary overload or scheduled "
          "maintenance"),
    504: ("504GatewayTimeout",
          "The server did not receive a timely response from an upstream server"),
}

RUN_FIELDS = ("user",)
_USER_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class Workiva(VendorDefinition):
    name = "workiva"
    default_base_url = "https://api.app.wdesk.com"
    parent_keyword = "script_id"
    parent_aliases = ("scriptId",)
    id_field = "id"
    cache_serialized = True
    openapi_module = "._workiva_openapi"
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
        rng = gen.derived(f"script:{key}")
        if key is None:
            key = gen.hex(32, rng)
        user = "V" + rng.choice("0123") + "ZVc2Vy" + "".join(rng.choices(_USER_CHARS, k=23))
        return key, {"user": user}

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        if given:
            unknown = sorted(set(given) - set(RUN_FIELDS))
            if unknown:
                raise FakeRunsError(
                    f"workiva add_run() got unknown field(s) {', '.join(unknown)}; allowed: "
                    "state/status, outcome, created_at, durations, reason, script_id/scriptId, "
                    f"id, {', '.join(RUN_FIELDS)}"
                )
            user = given["user"]
            if not isinstance(user, str) or not user:
                raise FakeRunsError(f"workiva user= takes a non-empty user id, not {user!r}")
            return {"user": user}
        return {"user": parent.data["user"]}

    def serialize(self, run: Run, **options: Any) -> Any:
        out: dict[str, Any] = {}
        if run.ended_at_ is not None:
            out["completed"] = {"dateTime": iso_seconds(run.ended_at_)}
        out["created"] = {
            "dateTime": iso_seconds(run.created_at_),
            "user": {"id": run.fields["user"]},
        }
        out["id"] = run.id
        if run.started_at_ is not None:
            out["started"] = {"dateTime": iso_seconds(run.started_at_)}
        out["status"] = run.status
        return out


def _sunset_message(ctx: Context) -> str:
    """The 410 text names the sunset of the deprecation that answered (a test may set its own)."""
    sunset = SUNSET_AT
    if ctx.route is not None:
        dep = ctx.vendor._deprecation_for(ctx.route, ctx.path)
        if dep is not None and dep.sunset_at is not None:
            sunset = dep.sunset_at
    return ERRORS[410][1].format(sunset=sunset.date().isoformat())
