"""Catch Software Enterprise Tester handlers: assignment runs (list, start or resume) and one
run (docs/contracts/enterprise-tester.md §3).
"""

from __future__ import annotations

import re
from typing import Any

from pytest_fakeruns.vendor_kit import Context, Parent, Response, Run, State, parse_int

from ..common.basic_auth import basic_user
from ..common.odata import ODataError
from .data import (
    ADMINISTRATOR,
    EXPANSIONS,
    ROLES,
    assignment_object,
    guid,
    login_of,
    run_object,
    user_id,
    with_assignment,
)
from .query import (
    DEFAULT_ORDER,
    by_created,
    compile_filter,
    compile_orderby,
    created_key,
    select,
)

QUERY_INVALID = "The query specified in the URI is not valid."
REQUEST_INVALID = "The request is invalid."
DEFAULT_TOP = 25
_OAUTH_TOKEN = re.compile(r'(?:^|[\s,])oauth_token\s*=\s*"?([^",\s]+)')


# -- routing, auth and query parameters ------------------------------------------------------


def _route_id(ctx: Context) -> str:
    """The path GUID; any other text does not match the route (ASP.NET's 404)."""
    ident = guid(ctx.params["id"])
    if ident is None:
        raise ctx.fail(
            404, f"No HTTP resource was found that matches the request URI '{ctx.request.url}'."
        )
    return ident


def _acting_user(ctx: Context) -> str:
    """The login the request acts as; 401 for missing (when required) or malformed ones."""
    header = ctx.request.headers.get("Authorization")
    if header is None:
        if ctx.vendor.require_auth:
            raise ctx.fail(401)
        return ADMINISTRATOR
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() == "basic":
        login = basic_user(header)
        if login is None:
            raise ctx.fail(401)
        return login
    if scheme.lower() == "oauth" and _OAUTH_TOKEN.search(rest):
        return ADMINISTRATOR
    raise ctx.fail(401)


def _query_fail(ctx: Context, detail: str) -> Exception:
    return ctx.fail(400, QUERY_INVALID, detail=detail)


def _count(ctx: Context, name: str) -> int | None:
    raw = ctx.query.get(name)
    if raw is None:
        return None
    value = parse_int(raw)
    if value is None:
        raise _query_fail(ctx, f"The value '{raw}' of {name} is not a non-negative integer.")
    return value


def _expand(ctx: Context) -> frozenset[str]:
    wanted = {part.strip().lower() for part in ctx.query.get("$expand", "").split(",")}
    return frozenset(name for name in EXPANSIONS if name.lower() in wanted)


def _shown(
    ctx: Context, runs: list[Run], parent: Parent, expand: frozenset[str], read: bool = True
) -> list[Any]:
    """The runs with their expansions; ``read`` False (POST) neither caches nor moves them."""
    root = ctx.root
    if read:
        shown = [ctx.show(run, expand=expand, root=root) for run in runs]
    else:
        shown = []
        for run in runs:
            run.state  # noqa: B018  (catch up with the clock)
            shown.append(run_object(run, expand, root))
    if "Assignment" not in expand:
        return shown
    latest = by_created(parent)
    status = latest[-1].status if latest else "Not Run"
    assignment = assignment_object(parent.key, parent.data, status, root)
    return [with_assignment(item, assignment) for item in shown]


def _assignment(ctx: Context, ident: str) -> Parent:
    return ctx.parent_or_fail(ident, 404, f"Script assignment {ident} was not found.")


# -- GET /api/scriptassignment/{id}/runs ------------------------------------------------------


def list_runs(ctx: Context) -> Response:
    ident = _route_id(ctx)
    _acting_user(ctx)
    q = ctx.query
    try:
        keep = compile_filter(q["$filter"]) if "$filter" in q else None
        order = compile_orderby(q["$orderby"]) if "$orderby" in q else DEFAULT_ORDER
    except ODataError as err:
        raise _query_fail(ctx, err.detail) from None
    top = _count(ctx, "$top")
    take = _count(ctx, "$take")
    skip = _count(ctx, "$skip") or 0
    inline = q.get("$inlinecount", "none")
    if inline not in ("allpages", "none"):
        raise _query_fail(
            ctx, f"The value '{inline}' of $inlinecount is not valid; use allpages or none."
        )
    expand = _expand(ctx)
    size = top if top is not None else take if take is not None else DEFAULT_TOP
    parent = _assignment(ctx, ident)
    ctx.vendor.store.catch_up()
    page, total = select(parent, keep, order, skip, size)
    body: dict[str, Any] = {}
    if inline == "allpages":
        body = {"Skip": skip, "Top": size, "Total": total}
    if "Assignment" in expand:  # the assignment object is shared by the page: not cached per run
        return ctx.json({**body, "Items": _shown(ctx, page, parent, expand)})
    return ctx.json_with_runs(body, "Items", page, expand=expand, root=ctx.root)


# -- POST /api/scriptassignment/{id}/runs -----------------------------------------------------


def _new_run_body(ctx: Context) -> str | None:
    """The ``TesterId`` of a valid ``CreateNewRun`` body (None when absent); 400 otherwise."""
    if not ctx.request.body:
        return None
    ok, body = ctx.body_json()
    if not ok or not isinstance(body, dict):
        raise ctx.fail(400, REQUEST_INVALID, detail=ctx.body_problem)
    tester = body.get("TesterId")
    if tester is not None and (not isinstance(tester, str) or guid(tester) is None):
        raise ctx.fail(400, REQUEST_INVALID)
    for name in ("WidgetValues", "FieldValues"):
        value = body.get(name)
        if value is not None and not isinstance(value, dict):
            raise ctx.fail(400, REQUEST_INVALID)
    return None if tester is None else guid(tester)


def _incomplete(ctx: Context, parent: Parent) -> Run | None:
    """The assignment's newest run that is still Not Run or In Progress."""
    ctx.vendor.store.catch_up()
    waiting = [
        r
        for r in ctx.vendor.store.active.values()
        if r.parent == parent.key and not r.state.terminal
    ]
    return max(waiting, key=created_key, default=None)


def _people_seen(ctx: Context) -> tuple[dict[str, str], dict[str, str]]:
    """(user id -> login, login -> user id) of everyone a stored run names (O(runs); only a
    POST that creates a run asks)."""
    logins: dict[str, str] = {}
    ids: dict[str, str] = {}
    for run in ctx.vendor.store.runs:
        f = run.fields
        for role in ROLES:
            logins.setdefault(f[role + "Id"], f[role])
            ids.setdefault(f[role], f[role + "Id"])
    return logins, ids


def create_run(ctx: Context) -> Response:
    ident = _route_id(ctx)
    acting = _acting_user(ctx)
    expand = _expand(ctx)
    tester = _new_run_body(ctx)
    parent = _assignment(ctx, ident)
    vendor = ctx.vendor
    run = _incomplete(ctx, parent)
    status = 200
    if run is None:
        gen = vendor.gen
        logins, ids = _people_seen(ctx)
        acting_id = ids.get(acting) or user_id(gen, acting)
        runner = (acting, acting_id)
        if tester is not None and tester != acting_id:
            runner = (login_of(gen, tester, logins), tester)
        run = vendor.create_run(
            {
                "state": "In Progress",
                "durations": {State.WAITING.value: 0.0},
                "CreatedBy": acting,
                "CreatedById": acting_id,
                "RunBy": runner[0],
                "RunById": runner[1],
                "LastUpdatedBy": acting,
                "LastUpdatedById": acting_id,
            },
            parent=parent,
        )
        run.fields["_fresh"] = True
        status = 201
    body = _shown(ctx, [run], parent, expand, read=False)[0]
    return ctx.json(body, status, {"Location": f"{ctx.root}/api/scriptrun/{run.id}"})


# -- GET /api/scriptrun/{id} --------------------------------------------------------------------


def get_run(ctx: Context) -> Response:
    ident = _route_id(ctx)
    _acting_user(ctx)
    expand = _expand(ctx)
    run = ctx.run_or_fail(ident, 404, f"Script run {ident} was not found.")
    parent = ctx.vendor.store.parents[run.parent]
    return ctx.json(_shown(ctx, [run], parent, expand)[0])
