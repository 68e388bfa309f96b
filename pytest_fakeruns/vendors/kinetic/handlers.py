"""Kinetic Task REST API v1 handlers: runs of a source, one run, run a tree
(docs/contracts/kinetic.md §3).
"""

from __future__ import annotations

import json
from typing import Any

from pytest_fakeruns.vendor_kit import Context, Parent, Response, Run, parse_int

from ..common.basic_auth import basic_user
from ..common.lazy_order import ordered
from .data import SYSTEM

BODY_NOT_OBJECT = "The body content must be a JSON object."
MAX_LIMIT = 1000
FORM = "application/x-www-form-urlencoded"


def _id(run: Run) -> int:
    return int(run.id)


# -- request parameters (section 3) -----------------------------------------------------------


def _params(ctx: Context) -> dict[str, Any]:
    """Query parameters, overridden by the JSON object in the body (even on GET)."""
    merged: dict[str, Any] = dict(ctx.query)
    if ctx.request.body:
        ok, body = ctx.body_json()
        if not ok or not isinstance(body, dict):
            raise ctx.fail(400, _not_object(ctx))
        merged.update(body)
    return merged


def _not_object(ctx: Context) -> str:
    """The 400 text for a body that is not a JSON object, with why when the fake knows."""
    return BODY_NOT_OBJECT if ctx.body_problem is None else f"{BODY_NOT_OBJECT} {ctx.body_problem}"


def _invalid(ctx: Context, name: str) -> Exception:
    return ctx.fail(400, f"Invalid value for parameter: {name}")


def _text(ctx: Context, params: dict[str, Any], name: str) -> str | None:
    if name not in params:
        return None
    value = params[name]
    if not isinstance(value, str):
        raise _invalid(ctx, name)
    return value


def _int(ctx: Context, params: dict[str, Any], name: str, default: int, top: int | None) -> int:
    if name not in params:
        return default
    value = parse_int(params[name])
    low = 1 if name == "limit" else 0
    if value is None or value < low or (top is not None and value > top):
        raise _invalid(ctx, name)
    return value


def _include(ctx: Context, params: dict[str, Any]) -> tuple[bool, bool]:
    text = _text(ctx, params, "include")
    names = {part.strip() for part in (text or "").split(",")}
    messages = "tasks.messages" in names
    return "tasks" in names or messages, messages


def _source(ctx: Context) -> Parent:
    name = ctx.params["SOURCE"]
    return ctx.parent_or_fail(name, 404, f"Unknown source:  {name}")


# -- GET /app/api/v1/sources/{SOURCE}/runs --------------------------------------------------


def list_runs(ctx: Context) -> Response:
    params = _params(ctx)
    group = _text(ctx, params, "sourceGroup")
    tree = _text(ctx, params, "tree")
    source_id = _text(ctx, params, "sourceId")
    tasks, messages = _include(ctx, params)
    limit = _int(ctx, params, "limit", MAX_LIMIT, MAX_LIMIT)
    offset = _int(ctx, params, "offset", 0, None)
    parent = _source(ctx)
    ctx.vendor.store.catch_up()
    ascending = ordered(parent, "_by_id", _id)
    if group is None and tree is None and source_id is None:
        count = len(ascending)
        end = max(count - offset, 0)
        page = ascending[max(end - limit, 0) : end][::-1]
    else:

        def keep(run: Run) -> bool:
            f = run.fields
            return (
                (group is None or f["sourceGroup"] == group)
                and (tree is None or f["tree"] == tree)
                and (source_id is None or f["sourceId"] == source_id)
            )

        matched = [r for r in reversed(ascending) if keep(r)]
        count = len(matched)
        page = matched[offset : offset + limit]
    body = {"count": count, "limit": limit, "offset": offset}
    return ctx.json_with_runs(body, "runs", page, tasks=tasks, messages=messages)


# -- GET /app/api/v1/sources/{SOURCE}/runs/{RUN_ID} -----------------------------------------


def show_run(ctx: Context) -> Response:
    params = _params(ctx)
    tasks, messages = _include(ctx, params)
    parent = _source(ctx)
    raw = ctx.params["RUN_ID"]
    number = parse_int(raw)
    run = ctx.vendor.store.get(number) if number is not None and number > 0 else None
    if run is None or run.parent != parent.key:
        raise ctx.fail(404, f"Unable to locate run {raw} for source {parent.key}.")
    return ctx.json({"run": ctx.show(run, tasks=tasks, messages=messages)})


# -- POST /app/api/v1/run-tree/{SOURCE}/{GROUP}/{TREE} --------------------------------------


def _source_data(ctx: Context) -> str | None:
    """The body as the run's sourceData: a JSON object, or form fields, as a JSON string."""
    if not ctx.request.body:
        return None
    content_type = ctx.request.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() == FORM:
        form = ctx.form()
        if form is None:
            raise ctx.fail(400, BODY_NOT_OBJECT)
        return json.dumps(form, separators=(",", ":"), ensure_ascii=False)
    ok, body = ctx.body_json()
    if not ok or not isinstance(body, dict):
        raise ctx.fail(400, _not_object(ctx))
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def run_tree(ctx: Context) -> Response:
    data = _source_data(ctx)
    source_id = ctx.query.get("sourceId")
    parent = _source(ctx)
    group, tree = ctx.params["GROUP"], ctx.params["TREE"]
    if (group, tree) not in parent.data["trees"]:
        raise ctx.fail(404, f"Unable to locate the tree: {parent.key} :: {group} :: {tree}")
    header = ctx.request.headers.get("Authorization")
    user = basic_user(header) if header is not None else None
    vendor = ctx.vendor
    run = vendor.create_run(
        {
            "tree": tree,
            "sourceGroup": group,
            "sourceId": source_id,
            "sourceData": data,
            "createdBy": user or SYSTEM,
        },
        parent=parent,
    )
    message = f"Initiated run #{run.id} for the {parent.key} :: {group} :: {tree} tree."
    return ctx.json({"message": message, "run": vendor.definition.serialize(run)})
