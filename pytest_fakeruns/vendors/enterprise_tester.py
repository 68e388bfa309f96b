"""Catch Software Enterprise Tester: script assignment runs (contracts/enterprise-tester.md).

People, scripts and the run object live in ``_et_data``; ``$filter``/``$orderby`` and paging
in ``_et_query`` (over the parser in ``_odata``).
"""

from __future__ import annotations

import re
from typing import Any

from .._definition import Context, VendorDefinition
from .._errors import FakeRunsError
from .._generator import Gen
from .._http import Response, json_response
from .._params import parse_int
from .._router import Route
from .._run import Run
from .._states import State
from .._store import Parent
from .._vocabulary import Position, Step, Vocabulary
from ._basic_auth import basic_user
from ._et_data import (
    ADMINISTRATOR,
    EXPANSIONS,
    assignment_object,
    guid,
    login_of,
    new_assignment,
    run_object,
    user_id,
    users,
    with_assignment,
)
from ._et_query import (
    DEFAULT_ORDER,
    by_created,
    compile_filter,
    compile_orderby,
    created_key,
    select,
)
from ._odata import ODataError

CONTENT_TYPE = "application/json; charset=utf-8"
REALM = 'Basic realm="Enterprise Tester"'
QUERY_INVALID = "The query specified in the URI is not valid."
REQUEST_INVALID = "The request is invalid."
DEFAULT_TOP = 25
_OAUTH_TOKEN = re.compile(r'(?:^|[\s,])oauth_token\s*=\s*"?([^",\s]+)')

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
ROLES = ("CreatedBy", "RunBy", "LastUpdatedBy")
# add_run's vendor fields (besides the canonical keys, assignment_id and Id)
RUN_FIELDS = (*ROLES, *(r + "Id" for r in ROLES), "ScriptId", "ScriptVersion")


class EnterpriseTester(VendorDefinition):
    name = "enterprise_tester"
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
            Route("GET", "/api/scriptassignment/{id}/runs", list_runs, auth=False,
                  list_route=True),
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
        if key is not None:
            normal = guid(key)
            if normal is None:
                raise FakeRunsError(
                    f"enterprise_tester assignment_id must be a GUID like "
                    f"'2264a622-2869-4ef8-8183-a0040106ca9d', not {key!r}"
                )
            key = normal
        return new_assignment(gen, key)

    def canonical_id(self, value: str) -> str:
        return _guid_field("Id", value)

    def canonical_parent(self, key: str) -> str:
        return guid(key) or key

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        data = parent.data
        if not given:  # add_runs: one tester from the pool created, ran and updated the run
            login, ident = gen.rng.choice(users(gen))
            return {
                "ScriptId": data["ScriptId"], "ScriptVersion": data["ScriptVersion"],
                "CreatedById": ident, "CreatedBy": login, "RunById": ident, "RunBy": login,
                "LastUpdatedById": ident, "LastUpdatedBy": login,
            }
        unknown = sorted(set(given) - set(RUN_FIELDS))
        if unknown:
            raise FakeRunsError(
                f"enterprise_tester add_run() got unknown field(s) {', '.join(unknown)}; "
                "allowed: state/Status, outcome, created_at, durations, reason, "
                "assignment_id/AssignmentId, Id, " + ", ".join(RUN_FIELDS)
            )
        fields: dict[str, Any] = {}
        script_id = given.get("ScriptId")
        if script_id is not None:
            normal = _guid_field("ScriptId", script_id)
            data["ScriptId"] = normal
        fields["ScriptId"] = data["ScriptId"]
        version = given.get("ScriptVersion", data["ScriptVersion"])
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise FakeRunsError(f"enterprise_tester ScriptVersion must be an int >= 1, not "
                                f"{version!r}")
        # a script id or version given is the assignment's from now on (POST runs use it)
        fields["ScriptVersion"] = data["ScriptVersion"] = version
        fields.update(_people(gen, given))
        return fields

    def serialize(
        self,
        run: Run,
        expand: frozenset[str] = frozenset(),
        root: str | None = None,
        **options: Any,
    ) -> Any:
        return run_object(run, expand, root)

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


def _guid_field(name: str, value: object) -> str:
    normal = guid(value) if isinstance(value, str) else None
    if normal is None:
        raise FakeRunsError(f"enterprise_tester {name} must be a GUID string, not {value!r}")
    return normal


def _people(gen: Gen, given: dict[str, Any]) -> dict[str, str]:
    """CreatedBy/RunBy/LastUpdatedBy logins and ids. A role given by login or id gets the
    other from the user it names; RunBy defaults to CreatedBy, LastUpdatedBy to RunBy,
    CreatedBy to the first role given, else one tester from the seeded pool."""
    named: dict[str, tuple[str, str]] = {}
    for role in ROLES:
        login, ident = given.get(role), given.get(role + "Id")
        if login is not None and (not isinstance(login, str) or not login):
            raise FakeRunsError(f"enterprise_tester {role} must be a non-empty string, not "
                                f"{login!r}")
        if ident is not None:
            ident = _guid_field(role + "Id", ident)
        if login is not None or ident is not None:
            named[role] = (
                login if login is not None else login_of(gen, str(ident)),
                ident if ident is not None else user_id(gen, str(login)),
            )
    first = next(iter(named.values()), None) or gen.rng.choice(users(gen))
    created = named.get("CreatedBy", first)
    ran = named.get("RunBy", created)
    updated = named.get("LastUpdatedBy", ran)
    out: dict[str, str] = {}
    for role, (login, ident) in zip(ROLES, (created, ran, updated), strict=True):
        out[role + "Id"] = ident
        out[role] = login
    return out


def _default_message(ctx: Context, status: int) -> str:
    if status == 404:
        if ctx.route is None:
            return f"No HTTP resource was found that matches the request URI '{ctx.request.url}'."
        raw = ctx.params.get("id", "")
        ident = guid(raw) or raw
        if ctx.route.template.startswith("/api/scriptrun"):
            return f"Script run {ident} was not found."
        return f"Script assignment {ident} was not found."
    return MESSAGES.get(status, "An error has occurred.")


# -- routing, auth and query parameters ------------------------------------------------------


def _route_id(ctx: Context) -> str:
    """The path GUID; any other text does not match the route (ASP.NET's 404)."""
    ident = guid(ctx.params["id"])
    if ident is None:
        raise ctx.fail(404, f"No HTTP resource was found that matches the request URI "
                            f"'{ctx.request.url}'.")
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
        raise _query_fail(ctx, f"The value '{inline}' of $inlinecount is not valid; use "
                               "allpages or none.")
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
    waiting = [r for r in ctx.vendor.store.active.values()
               if r.parent == parent.key and not r.state.terminal]
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
                "CreatedBy": acting, "CreatedById": acting_id,
                "RunBy": runner[0], "RunById": runner[1],
                "LastUpdatedBy": acting, "LastUpdatedById": acting_id,
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
