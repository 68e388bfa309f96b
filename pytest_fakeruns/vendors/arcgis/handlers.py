"""ArcGIS handlers: the runs list, one run, and the update operation
(docs/contracts/arcgis.md §3)."""

from __future__ import annotations

import html
from typing import Any

from pytest_fakeruns.vendor_kit import Context, Parent, Response, Run, VendorError, parse_int

from .data import task_json, task_object, with_task
from .formats import FORMATS, html_runs, inputs, render

RUNS_PATH = "/system/tasks/{taskID}/runs"
RUN_PATH = RUNS_PATH + "/{runID}"
UPDATE_PATH = RUN_PATH + "/update"
MAX_NUM = 100
STATUSES = ("scheduled", "executing", "succeeded", "skipped", "failed", "submitfailed")
# status -> the statuses update may move it to (the current status again is a no-op)
MOVES: dict[str, tuple[str, ...]] = {
    "scheduled": ("executing", "skipped"),
    "executing": ("succeeded", "failed", "skipped"),
}


def _invalid(ctx: Context, detail: str) -> VendorError:
    return ctx.fail(400, None, details=[detail])


def _params(ctx: Context) -> tuple[dict[str, str], str]:
    """The parameters and the output format; 400 for a bad body or ``f``."""
    params = inputs(ctx)
    if params is None:
        raise _invalid(
            ctx, "The request body must be form-encoded (application/x-www-form-urlencoded)."
        )
    f = params.get("f", "html")
    if f not in FORMATS:
        raise _invalid(ctx, f"Invalid value for parameter 'f': {f}")
    return params, f


def _int(ctx: Context, params: dict[str, str], name: str, default: int, least: int) -> int:
    if name not in params:
        return default
    value = parse_int(params[name])
    if value is None or value < least:
        raise _invalid(ctx, f"Invalid value for parameter '{name}': {params[name]}")
    return value


def _task(ctx: Context) -> Parent:
    task_id = ctx.params["taskID"]
    return ctx.parent_or_fail(task_id, 404, f"Task '{task_id}' not found.")


def _run(ctx: Context, parent: Parent) -> Run:
    run_id = ctx.params["runID"]
    run = ctx.vendor.store.get(run_id)
    if run is None or run.parent != parent.key:
        raise ctx.fail(404, f"Run '{run_id}' not found.")
    return run


def list_runs(ctx: Context) -> Response:
    params, f = _params(ctx)
    start = _int(ctx, params, "start", 0, 0)
    num = min(_int(ctx, params, "num", 10, 1), MAX_NUM)
    parent = _task(ctx)
    ctx.vendor.store.catch_up()  # the task's `updated` counts every transition due by now
    ordered = parent.indexes["created"].runs  # ascending; the API is newest first
    total = len(ordered)
    picked = [ordered[total - 1 - i] for i in range(start, min(start + num, total))]
    more = start + len(picked) < total
    if f == "json":  # the hot path: cached run fragments around the task, encoded once
        head = {
            "result": None,
            "total": total,
            "num": len(picked),
            "start": start,
            "nextStart": start + len(picked) if more else 0,
        }
        return ctx.json_with_runs(head, "result", picked, shared=task_json(parent), slot=True)
    task = task_object(parent)
    shown = [with_task(ctx.show(run, own=True), task) for run in picked]
    body: dict[str, Any] = {
        "result": shown,
        "total": total,
        "num": len(picked),
        "start": start,
        "nextStart": start + len(picked) if more else 0,
    }

    def page() -> str:
        return (
            f"<p>Task {html.escape(parent.key)} ({html.escape(str(task['taskTitle']))}): "
            f"total {total}, start {start}, "
            f"num {len(picked)}, nextStart {body['nextStart']}</p>" + html_runs(shown)
        )

    return render(body, f, title="Runs", html_body=page)


def get_run(ctx: Context) -> Response:
    _, f = _params(ctx)
    parent = _task(ctx)
    run = _run(ctx, parent)
    ctx.vendor.store.catch_up()
    shown = with_task(ctx.show(run, own=True), task_object(parent))
    return render(shown, f, title=f"Run {run.id}", html_body=lambda: html_runs([shown]))


def update_run(ctx: Context) -> Response:
    params, f = _params(ctx)
    status = params.get("status")
    if status is None:
        raise _invalid(ctx, "Missing required parameter 'status'.")
    if status not in STATUSES:
        raise _invalid(ctx, f"Invalid value for parameter 'status': {status}")
    parent = _task(ctx)
    run = _run(ctx, parent)
    old = run.status  # catches the run up with the clock
    if status != old:
        if status not in MOVES.get(old, ()):
            raise ctx.fail(400, f"Invalid status transition from '{old}' to '{status}'.")
        if "result" in params:
            run.fields["result"] = params["result"]
        if status == "skipped":
            run.cancel()
        else:
            run.advance_to(status)
    return render({"status": "success"}, f, title="Update run")


def method_not_supported(ctx: Context) -> Response:
    raise ctx.fail(405)
