"""Kinetic Task REST API v1: the definition (docs/contracts/kinetic.md).

Class data, vocabulary, the routes table, Basic auth and the error envelope. Handlers live in
``handlers``; sources (the parent), run fields, the run object and its derived tasks in ``data``.
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

from ..common.basic_auth import basic_user
from . import data
from .handlers import BODY_NOT_OBJECT, list_runs, run_tree, show_run

CONTENT_TYPE = "application/json"
REALM = 'Basic realm="Kinetic Task"'

MESSAGES: dict[int, str] = {
    400: BODY_NOT_OBJECT,
    401: "Invalid authentication credentials.",
    409: "The request conflicts with the current state of the run.",
    410: "This API method is no longer available.",
    429: "Too many requests.",
    500: "An unexpected server error occurred.",
    502: "Bad gateway.",
    503: "Service unavailable.",
    504: "Gateway timeout.",
}


class Kinetic(VendorDefinition):
    name = "kinetic"
    openapi_module = ".openapi"
    default_base_url = "http://foo.kineticdata.com:8080/kinetic-task"
    parent_keyword = "source"
    int_ids = True
    id_field = "id"
    content_type = CONTENT_TYPE
    cache_serialized = True
    vocabulary = Vocabulary(
        steps=(
            Step("Staged", State.WAITING),
            Step("Started", State.RUNNING),
        ),
        terminal_words={
            State.COMPLETED: "Complete",
            State.FAILED: "Started",
            State.CANCELED: "Complete",
        },
        durations={State.WAITING: 1.0, State.RUNNING: 10.0},
        status_field="status",
    )

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/app/api/v1/sources/{SOURCE}/runs", list_runs, list_route=True),
            Route("GET", "/app/api/v1/sources/{SOURCE}/runs/{RUN_ID}", show_run),
            Route("POST", "/app/api/v1/run-tree/{SOURCE}/{GROUP}/{TREE}", run_tree),
        ]

    def authenticate(self, ctx: Context) -> None:
        header = ctx.request.headers.get("Authorization")
        if header is None:
            if ctx.vendor.require_auth:
                raise ctx.fail(403)
            return
        if basic_user(header) is None:
            raise ctx.fail(401)

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        if message is None:
            source = ctx.params.get("SOURCE") or _source_in_path(ctx.path)
            if status == 403:
                message = f'Policy rule "Authenticated Users" denied access to source "{source}".'
            elif status == 404:
                message = f"Unknown source:  {source}"
            else:
                message = MESSAGES.get(status, "An unexpected server error occurred.")
        headers = {"WWW-Authenticate": REALM} if status == 401 else None
        return json_response({"message": message}, status, CONTENT_TYPE, headers)

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        return data.new_parent(gen, key)

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        return data.run_fields(gen, parent, given, at)

    def serialize(
        self, run: Run, tasks: bool = False, messages: bool = False, **options: Any
    ) -> Any:
        return data.run_object(run, tasks=tasks, messages=messages)


def _source_in_path(path: str) -> str:
    parts = path.strip("/").split("/")
    for marker in ("sources", "run-tree"):
        if marker in parts[:-1]:
            return parts[parts.index(marker) + 1]
    return path
