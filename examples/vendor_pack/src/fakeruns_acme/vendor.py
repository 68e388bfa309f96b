"""The Acme pipelines runs API, faked: one list endpoint and one run endpoint.

GET /v1/pipelines/{pipelineId}/runs?limit=1..100&cursor=N   newest first, "next" link
GET /v1/runs/{runId}
Auth: an ``X-Acme-Key`` header; errors: {"error": {"code": <status>, "message": "..."}}.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from pytest_fakeruns.vendor_kit import (
    Context,
    FakeRunsError,
    Route,
    Run,
    State,
    Step,
    VendorDefinition,
    Vocabulary,
)

TRIGGERS = ("manual", "schedule", "push")
MESSAGES = {
    400: "The request is invalid.",
    401: "An X-Acme-Key header is required.",
    404: "Not found.",
    410: "This endpoint was retired.",
    429: "Slow down.",
    503: "Acme is down for maintenance.",
}


class Acme(VendorDefinition):
    name = "acme"
    default_base_url = "https://api.acme.example"
    parent_keyword = "pipeline_id"  # add_run(pipeline_id="pl-1")
    parent_aliases = ("pipelineId",)  # the API's own spelling works too
    vocabulary = Vocabulary(
        steps=(Step("pending", State.WAITING), Step("running", State.RUNNING)),
        terminal_words={
            State.COMPLETED: "succeeded",
            State.FAILED: "failed",
            State.CANCELED: "cancelled",
        },
        durations={State.WAITING: 5.0, State.RUNNING: 60.0},
        status_field="status",
    )
    indexes = {"created": lambda run: (run.created_at_, run.id)}

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v1/pipelines/{pipelineId}/runs", list_runs, list_route=True),
            Route("GET", "/v1/runs/{runId}", get_run),
        ]

    def authenticate(self, ctx: Context) -> None:
        key = ctx.request.headers.get("X-Acme-Key", "")
        if not key.strip() and ctx.vendor.require_auth:
            raise ctx.fail(401)

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Any:
        text = message or MESSAGES.get(status, "The request failed.")
        return ctx.json({"error": {"code": status, "message": text}}, status)

    def new_parent(self, gen: Any, key: str | None) -> tuple[str, dict[str, Any]]:
        if key is None:  # the default pipeline: the same for the same seed
            key = "pl-" + gen.hex(8, gen.derived("pipeline"))
        return key, {}

    def new_run_id(self, gen: Any) -> str:
        return f"run_{gen.hex(12)}"

    def run_fields(self, gen: Any, parent: Any, given: dict[str, Any], at: Any) -> dict[str, Any]:
        unknown = sorted(set(given) - {"trigger"})
        if unknown:
            raise FakeRunsError(
                f"acme add_run() got unknown field(s) {', '.join(unknown)}; allowed: state/status, "
                "outcome, created_at, durations, reason, pipeline_id/pipelineId, trigger"
            )
        trigger = given.get("trigger") or gen.rng.choice(TRIGGERS)
        if trigger not in TRIGGERS:
            raise FakeRunsError(f"trigger={trigger!r}; use one of {', '.join(TRIGGERS)}")
        return {"trigger": trigger}

    def serialize(self, run: Run, **options: Any) -> Any:
        shown: dict[str, Any] = {
            "id": run.id,
            "pipelineId": run.parent,
            "status": run.status,
            "trigger": run.fields["trigger"],
            "createdAt": _iso(run.created_at_),
        }
        if run.started_at_ is not None:
            shown["startedAt"] = _iso(run.started_at_)
        if run.ended_at_ is not None:
            shown["finishedAt"] = _iso(run.ended_at_)
        if run.state_ is State.FAILED:
            shown["error"] = run.reason or "Step 'build' exited with code 1."
        return shown


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _int_param(ctx: Context, name: str, default: int, low: int, high: int | None) -> int:
    raw = ctx.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        limits = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ctx.fail(400, f"{name} must be an integer {limits}")
    return int(raw)


def list_runs(ctx: Context) -> Any:
    pipeline_id = ctx.params["pipelineId"]
    pipeline = ctx.vendor.store.parent(pipeline_id)
    if pipeline is None:
        raise ctx.fail(404, f"Pipeline {pipeline_id} was not found.")
    limit = _int_param(ctx, "limit", 20, 1, 100)
    cursor = _int_param(ctx, "cursor", 0, 0, None)
    ctx.vendor.store.catch_up()  # every run up to the clock before the page is cut
    newest_first = pipeline.indexes["created"].runs[::-1]
    page = newest_first[cursor : cursor + limit]
    body: dict[str, Any] = {"runs": [ctx.show(run) for run in page]}
    if cursor + limit < len(newest_first):
        body["next"] = (
            f"{ctx.root}/v1/pipelines/{quote(pipeline_id, safe='')}/runs"
            f"?limit={limit}&cursor={cursor + limit}"
        )
    return ctx.json(body)


def get_run(ctx: Context) -> Any:
    run = ctx.vendor.store.get(ctx.params["runId"])
    if run is None:
        raise ctx.fail(404, f"Run {ctx.params['runId']} was not found.")
    return ctx.json(ctx.show(run))
