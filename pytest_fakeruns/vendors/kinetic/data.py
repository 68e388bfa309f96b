"""Kinetic Task v1 data: sources (the parent), the fields of a run, the run object and its
visible tasks (docs/contracts/kinetic.md sections 4, 5).

Tasks are not stored: they are derived, when a run is shown with ``include=tasks``, from the
run's state, timestamps and a per-run seed, so ``add_runs(100_000)`` stores nothing for them.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_fakeruns.vendor_kit import FakeRunsError, Gen, Parent, Position, Run, State, iso_millis

SYSTEM = "SYSTEM"
CANCELED_TEXT = "Canceled"
TASK_KEYS = (
    "branchId",
    "createdAt",
    "createdBy",
    "deferredResults",
    "definitionId",
    "duration",
    "id",
    "messages",
    "nodeId",
    "nodeName",
    "results",
    "status",
    "token",
    "updatedAt",
    "updatedBy",
)

# (definitionId, nodeName, result names): handlers that finish at once ...
QUICK_HANDLERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("utilities_echo_v1", "Echo Input", ("output",)),
    (
        "kinetic_request_ce_submission_retrieve_v2",
        "Retrieve Submission",
        ("Handler Error Message", "ID", "Core State"),
    ),
    ("smtp_email_send_v1", "Send Notification", ("Handler Error Message", "Message Id")),
    ("utilities_create_trigger_v1", "Create Trigger", ("Handler Error Message",)),
    ("kinetic_request_ce_submission_update_v1", "Update Submission", ("Handler Error Message",)),
    ("kinetic_core_api_v1", "Core API Call", ("Response Body", "Response Code")),
)
# ... and handlers that defer: the run waits for them to be completed
DEFERRED_HANDLERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("utilities_defer_v1", "Deferred Task", ("deferral_token",)),
    (
        "kinetic_request_ce_approval_create_v1",
        "Create Approval",
        ("deferral_token", "Handler Error Message"),
    ),
    ("servicenow_incident_create_v1", "Create Incident", ("deferral_token", "sys_id", "number")),
)
FAILURE_REASONS = (
    "Handler Error: smtp_email_send_v1 - Net::SMTPAuthenticationError: 535 5.7.8 "
    "Username and Password not accepted.",
    "Handler Error: kinetic_core_api_v1 - 404 Not Found: Unable to locate the submission.",
    "Node Parameter Error: The 'Submission Id' parameter of node 'Update Submission' "
    "references an undefined result.",
    "Connector Error: Unable to evaluate the connector expression: undefined method "
    "'[]' for nil:NilClass",
    "Handler Error: servicenow_incident_create_v1 - Connection refused - connect(2) for "
    '"acme.service-now.com" port 443',
)


def tree_object(run: Run) -> dict[str, Any]:
    f = run.fields
    return {"name": f["tree"], "sourceGroup": f["sourceGroup"], "source": {"name": run.parent}}


def run_object(run: Run, tasks: bool = False, messages: bool = False) -> dict[str, Any]:
    """The run as the list shows it; ``tasks`` only with ``include=tasks``."""
    f = run.fields
    out: dict[str, Any] = {
        "createdAt": iso_millis(run.created_at_),
        "createdBy": f["createdBy"],
        "id": run.id,
        "sourceData": f["sourceData"],
        "sourceId": f["sourceId"],
        "status": run.status,
    }
    if tasks:
        out["tasks"] = [_shape(t, messages) for t in task_list(run)]
    out["tree"] = tree_object(run)
    out["updatedAt"] = iso_millis(run.updated_at)
    out["updatedBy"] = SYSTEM
    return out


def _shape(task: Mapping[str, Any], messages: bool) -> dict[str, Any]:
    return {k: task[k] for k in TASK_KEYS if messages or k != "messages"}


def failure_reason(run: Run) -> str:
    if run.reason:
        return run.reason
    return FAILURE_REASONS[run.fields["_seed"] % len(FAILURE_REASONS)]


# -- the tasks -------------------------------------------------------------------------------


class _Clock:
    """Task timestamps: strictly after the run started, never after it ended."""

    def __init__(self, start: _dt.datetime, limit: _dt.datetime | None) -> None:
        self.at = start
        self.limit = limit

    def step(self, millis: int) -> _dt.datetime:
        self.at += _dt.timedelta(milliseconds=millis)
        if self.limit is not None and self.at > self.limit:
            self.at = self.limit
        return self.at


def _results(rng: random.Random, names: Sequence[str], token: str | None) -> str:
    lines = []
    for name in names:
        if name == "deferral_token":
            value = token or ""
        elif name in ("ID", "sys_id"):
            value = f"{rng.getrandbits(128):032x}"
        elif name == "number":
            value = f"INC{rng.randrange(10**7):07d}"
        elif name == "Message Id":
            value = f"<{rng.getrandbits(64):016x}@mail.kineticdata.com>"
        elif name == "Core State":
            value = "Submitted"
        elif name == "Response Code":
            value = "200"
        elif name == "output":
            value = "Approved"
        else:
            value = ""
        lines.append(f'  <result name="{name}">{value}</result>')
    if not lines:
        return "<results/>"
    return "<results>\n" + "\n".join(lines) + "\n</results>"


def _task(run: Run, index: int, **values: Any) -> dict[str, Any]:
    """A task with every key, defaults first (an explicit task from add_run may omit keys)."""
    created = values.get("createdAt") or iso_millis(run.created_at_)
    task: dict[str, Any] = {
        "branchId": 2 * int(run.id) + 1,
        "createdAt": created,
        "createdBy": SYSTEM,
        "deferredResults": None,
        "definitionId": "utilities_echo_v1",
        "duration": 0,
        "id": int(run.id) * 50 + index + 1,
        "messages": [],
        "nodeId": "utilities_echo_v1_1",
        "nodeName": "Echo Input",
        "results": None,
        "status": "Closed",
        "token": None,
        "updatedAt": created,
        "updatedBy": SYSTEM,
    }
    task.update(values)
    return task


def _generated(run: Run, rng: random.Random, clock: _Clock) -> list[dict[str, Any]]:
    """The tasks a started run shows before any failure or cancel task: quick handlers, then
    (unless it failed) the deferred handler the run waits on."""
    state = run.state_
    quick = rng.randint(0, 2)
    out: list[dict[str, Any]] = []
    node = rng.randint(1, 4)
    for i in range(quick):
        definition, name, result_names = rng.choice(QUICK_HANDLERS)
        node += rng.randint(1, 3)
        created = clock.step(rng.randint(20, 900))
        duration = rng.randint(5, 400)
        updated = clock.step(duration + rng.randint(1, 40))
        out.append(
            _task(
                run,
                i,
                createdAt=iso_millis(created),
                definitionId=definition,
                duration=duration,
                nodeId=f"{definition}_{node}",
                nodeName=name,
                results=_results(rng, result_names, None),
                updatedAt=iso_millis(updated),
            )
        )
    if state is State.FAILED:
        return out
    definition, name, result_names = rng.choice(DEFERRED_HANDLERS)
    node += rng.randint(1, 3)
    token = f"{rng.getrandbits(160):040x}"
    created = clock.step(rng.randint(20, 900))
    duration = rng.randint(5, 60)
    deferred_at = clock.step(duration + rng.randint(100, 400))
    closed = state in (State.COMPLETED, State.CANCELED)
    if closed and run.ended_at_ is not None:
        clock.at = run.ended_at_
    out.append(
        _task(
            run,
            quick,
            createdAt=iso_millis(created),
            definitionId=definition,
            duration=duration,
            nodeId=f"{definition}_{node}",
            nodeName=name,
            results=_results(rng, result_names, token),
            status="Closed" if closed else "Deferred",
            token=token,
            updatedAt=iso_millis(clock.at if closed else deferred_at),
        )
    )
    return out


def task_list(run: Run) -> list[dict[str, Any]]:
    """Every visible task of ``run`` in creation order, with ``messages``."""
    rng = random.Random(run.fields["_seed"])
    started = run.started_at_
    explicit = run.fields.get("tasks")
    if explicit is not None:
        tasks = [_task(run, i, **t) for i, t in enumerate(explicit)]
    elif started is None:
        tasks = []
    else:
        tasks = _generated(run, rng, _Clock(started, run.ended_at_))
    state = run.state_
    if state in (State.FAILED, State.CANCELED):
        ended = run.ended_at_ or run.created_at_
        at = iso_millis(ended)
        index = len(tasks)
        if state is State.FAILED:
            definition, name, _ = rng.choice(QUICK_HANDLERS)
            text, status = failure_reason(run), "New"
        else:
            definition, name, text, status = "system_noop_v1", "Cancel", CANCELED_TEXT, "Closed"
        message_id = int(run.id) * 50 + index + 1
        tasks.append(
            _task(
                run,
                index,
                createdAt=at,
                definitionId=definition,
                nodeId=f"{definition}_{rng.randint(5, 30)}",
                nodeName=name,
                status=status,
                updatedAt=at,
                messages=[{"createdAt": at, "id": message_id, "text": text}],
            )
        )
    return tasks


def check_tasks(value: object) -> list[dict[str, Any]]:
    """``add_run(tasks=[...])``: a list of task objects using the contract's keys."""
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise FakeRunsError(
            "kinetic add_run(tasks=...) takes a list of task dicts with keys from: "
            + ", ".join(TASK_KEYS)
        )
    for task in value:
        unknown = sorted(set(task) - set(TASK_KEYS))
        if unknown:
            raise FakeRunsError(
                f"kinetic add_run(tasks=...): unknown task key(s) {', '.join(unknown)}; "
                "allowed: " + ", ".join(TASK_KEYS)
            )
    return [dict(t) for t in value]


# -- sources and the fields of a run -----------------------------------------------------------

SOURCES = ("Kinetic Request CE", "Playground", "Kinetic Request", "ServiceNow", "Remedy ITSM")
GROUPS = (
    "Submissions > services > onboarding",
    "Submissions > it > password-reset",
    "ACME3 > iPad Request",
    "Documentation",
    "Submissions > hr > leave-request",
    "Datastore Submissions > people",
    "Users",
    "Teams",
)
TREES = (
    "Submitted",
    "Created",
    "Updated",
    "Closed",
    "Procurement",
    "My First Tree",
    "Approval",
    "Fulfillment",
)
# add_run's vendor fields (besides the canonical keys and `source`)
RUN_FIELDS = ("tree", "source_group", "sourceGroup", "sourceId", "sourceData", "createdBy", "tasks")


def new_parent(gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
    rng = gen.derived(f"source:{key}")
    if key is None:
        key = rng.choice(SOURCES)
    groups = rng.sample(GROUPS, 2)
    trees = rng.sample(TREES, 3)
    pairs = [(groups[0], trees[0]), (groups[0], trees[1]), (groups[1], trees[2])]
    return key, {"trees": pairs}


def run_fields(gen: Gen, parent: Parent, given: dict[str, Any], at: Position) -> dict[str, Any]:
    rng = gen.rng
    if not given:  # add_runs: a known tree of the source, started by the system
        group, tree = rng.choice(parent.data["trees"])
        return {
            "tree": tree,
            "sourceGroup": group,
            "source_group": group,
            "sourceId": f"KS{rng.randrange(10**13):013d}" if rng.random() < 0.85 else None,
            "sourceData": None,
            "createdBy": SYSTEM,
            "_seed": rng.getrandbits(32),
        }
    unknown = sorted(set(given) - set(RUN_FIELDS))
    if unknown:
        raise FakeRunsError(
            f"kinetic add_run() got unknown field(s) {', '.join(unknown)}; allowed: "
            "state/status, outcome, created_at, durations, reason, source, id, "
            + ", ".join(RUN_FIELDS)
        )
    group, tree = _tree_of(rng, parent, given)
    source_id = (
        given["sourceId"]
        if "sourceId" in given
        else (f"KS{rng.randrange(10**13):013d}" if rng.random() < 0.85 else None)
    )
    if source_id is not None and not isinstance(source_id, str):
        raise FakeRunsError(f"kinetic sourceId must be a string or None, not {source_id!r}")
    data = given.get("sourceData")
    if isinstance(data, (dict, list)):
        data = json.dumps(data, separators=(",", ":"))
    elif data is not None and not isinstance(data, str):
        raise FakeRunsError(f"kinetic sourceData must be a string, a dict or None, not {data!r}")
    created_by = given.get("createdBy", SYSTEM)
    if not isinstance(created_by, str) or not created_by:
        raise FakeRunsError(f"kinetic createdBy must be a non-empty string, not {created_by!r}")
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


def _text_field(given: dict[str, Any], *names: str) -> str | None:
    found: str | None = None
    for name in names:
        if name in given:
            value = given[name]
            if not isinstance(value, str) or not value:
                raise FakeRunsError(f"kinetic {name} must be a non-empty string, not {value!r}")
            if found is not None and value != found:
                raise FakeRunsError(
                    f"kinetic add_run() got {names[0]}={found!r} and "
                    f"{name}={value!r}; give one of them"
                )
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
