"""Kinetic Task REST API v1: runs of a source, one run, run a tree (contracts/kinetic.md).

The run object and its derived tasks live in ``_kinetic_tasks``.
"""

from __future__ import annotations

import json
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
from ._kinetic_tasks import SYSTEM, check_tasks, run_object
from ._lazy_order import ordered

CONTENT_TYPE = "application/json"
REALM = 'Basic realm="Kinetic Task"'
BODY_NOT_OBJECT = "The body content must be a JSON object."
MAX_LIMIT = 1000
FORM = "application/x-www-form-urlencoded"

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

SOURCES = ("Kinetic Request CE", "Playground", "Kinetic Request", "ServiceNow", "Remedy ITSM")
GROUPS = (
    "Submissions > services > onboarding", "Submissions > it > password-reset",
    "ACME3 > iPad Request", "Documentation", "Submissions > hr > leave-request",
    "Datastore Submissions > people", "Users", "Teams",
)
TREES = (
    "Submitted", "Created", "Updated", "Closed", "Procurement", "My First Tree", "Approval",
    "Fulfillment",
)
# add_run's vendor fields (besides the canonical keys and `source`)
RUN_FIELDS = ("tree", "source_group", "sourceGroup", "sourceId", "sourceData", "createdBy",
              "tasks")


class Kinetic(VendorDefinition):
    name = "kinetic"
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
                message = (f'Policy rule "Authenticated Users" denied access to source '
                           f'"{source}".')
            elif status == 404:
                message = f"Unknown source:  {source}"
            else:
                message = MESSAGES.get(status, "An unexpected server error occurred.")
        headers = {"WWW-Authenticate": REALM} if status == 401 else None
        return json_response({"message": message}, status, CONTENT_TYPE, headers)

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        rng = gen.derived(f"source:{key}")
        if key is None:
            key = rng.choice(SOURCES)
        groups = rng.sample(GROUPS, 2)
        trees = rng.sample(TREES, 3)
        pairs = [(groups[0], trees[0]), (groups[0], trees[1]), (groups[1], trees[2])]
        return key, {"trees": pairs}

    def run_fields(
        self, gen: Gen, parent: Parent, given: dict[str, Any], at: Position
    ) -> dict[str, Any]:
        rng = gen.rng
        if not given:  # add_runs: a known tree of the source, started by the system
            group, tree = rng.choice(parent.data["trees"])
            return {
                "tree": tree, "sourceGroup": group, "source_group": group,
                "sourceId": f"KS{rng.randrange(10**13):013d}" if rng.random() < 0.85 else None,
                "sourceData": None, "createdBy": SYSTEM, "_seed": rng.getrandbits(32),
            }
        unknown = sorted(set(given) - set(RUN_FIELDS))
        if unknown:
            raise FakeRunsError(
                f"kinetic add_run() got unknown field(s) {', '.join(unknown)}; allowed: "
                "state/status, outcome, created_at, durations, reason, source, id, "
                + ", ".join(RUN_FIELDS)
            )
        group, tree = _tree_of(rng, parent, given)
        source_id = given["sourceId"] if "sourceId" in given else (
            f"KS{rng.randrange(10**13):013d}" if rng.random() < 0.85 else None
        )
        if source_id is not None and not isinstance(source_id, str):
            raise FakeRunsError(f"kinetic sourceId must be a string or None, not {source_id!r}")
        data = given.get("sourceData")
        if isinstance(data, (dict, list)):
            data = json.dumps(data, separators=(",", ":"))
        elif data is not None and not isinstance(data, str):
            raise FakeRunsError(
                f"kinetic sourceData must be a string, a dict or None, not {data!r}"
            )
        created_by = given.get("createdBy", SYSTEM)
        if not isinstance(created_by, str) or not created_by:
            raise FakeRunsError(f"kinetic createdBy must be a non-empty string, not "
                                f"{created_by!r}")
        fields: dict[str, Any] = {
            "tree": tree,
            "sourceGroup": group,
            "source_group": group,
            "sourceId": source_id,
            "sourceData": data,
            "createdBy": created_by,
            "_seed": rng.getrandbits(32),
        }
        if "tasks" in given:
            fields["tasks"] = check_tasks(given["tasks"])
        return fields

    def serialize(
        self, run: Run, tasks: bool = False, messages: bool = False, **options: Any
    ) -> Any:
        return run_object(run, tasks=tasks, messages=messages)


def _id(run: Run) -> int:
    return int(run.id)


def _source_in_path(path: str) -> str:
    parts = path.strip("/").split("/")
    for marker in ("sources", "run-tree"):
        if marker in parts[:-1]:
            return parts[parts.index(marker) + 1]
    return path


def _text_field(given: dict[str, Any], *names: str) -> str | None:
    found: str | None = None
    for name in names:
        if name in given:
            value = given[name]
            if not isinstance(value, str) or not value:
                raise FakeRunsError(f"kinetic {name} must be a non-empty string, not {value!r}")
            if found is not None and value != found:
                raise FakeRunsError(f"kinetic add_run() got {names[0]}={found!r} and "
                                    f"{name}={value!r}; give one of them")
            found = value
    return found


def _tree_of(rng: Any, parent: Parent, given: dict[str, Any]) -> tuple[str, str]:
    """The run's (source group, tree): given, or drawn from the source's known trees; a new
    pair becomes a known tree of the source (run-tree finds it)."""
    pairs: list[tuple[str, str]] = parent.data["trees"]
    group = _text_field(given, "source_group", "sourceGroup")
    tree = _text_field(given, "tree")
    if group is None and tree is None:
        pair: tuple[str, str] = rng.choice(pairs)
        return pair
    if tree is None:
        same = [t for g, t in pairs if g == group]
        tree = rng.choice(same) if same else rng.choice(TREES)
    if group is None:
        same = [g for g, t in pairs if t == tree]
        group = same[0] if same else pairs[0][0]
    if (group, tree) not in pairs:
        pairs.append((group, tree))
    return group, tree


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
        {"tree": tree, "sourceGroup": group, "sourceId": source_id, "sourceData": data,
         "createdBy": user or SYSTEM},
        parent=parent,
    )
    message = f"Initiated run #{run.id} for the {parent.key} :: {group} :: {tree} tree."
    return ctx.json({"message": message, "run": vendor.definition.serialize(run)})
