"""ArcGIS data: system tasks (the parent object embedded in every run), the fields of a run and
the run object (docs/contracts/arcgis.md §4)."""

from __future__ import annotations

import datetime as _dt
import random
from typing import TYPE_CHECKING, Any

from pytest_fakeruns.vendor_kit import (
    SHARED_SLOT,
    FakeRunsError,
    Gen,
    Parent,
    Position,
    Run,
    State,
    dump_json,
)

from .formats import us_date

if TYPE_CHECKING:
    pass

# taskType -> what the task object shows, and the result text of a succeeded run
TASK_TYPES: dict[str, dict[str, Any]] = {
    "CleanGPJobs": {
        "type": "GP_JOBS_CLEANER_TASK_TYPE",
        "taskTitle": "gpCleanerTask",
        "cronSchedule": {
            "dayOfWeek": "?",
            "hour": "*",
            "month": "*",
            "dayOfMonth": "*",
            "minute": "0",
        },
        "cronExpression": "0 0 * * * ?",
        "runIntervalSeconds": 3600,
        "succeeded": "GP Jobs have been cleaned.",
    },
    "BackupRetentionCleaner": {
        "type": "BACKUP_RETENTION_CLEANER_TASK_TYPE",
        "taskTitle": "backupRetentionCleanerTask",
        "cronSchedule": {
            "dayOfWeek": "?",
            "hour": "1",
            "month": "*",
            "dayOfMonth": "*",
            "minute": "0",
        },
        "cronExpression": "0 0 1 * * ?",
        "runIntervalSeconds": 86400,
        "succeeded": "Expired backups have been deleted.",
    },
    "CreateBackup": {
        "type": "CREATE_BACKUP_TASK_TYPE",
        "taskTitle": "createBackupTask",
        "cronSchedule": {
            "dayOfWeek": "SUN",
            "hour": "2",
            "month": "*",
            "dayOfMonth": "?",
            "minute": "0",
        },
        "cronExpression": "0 0 2 ? * SUN",
        "runIntervalSeconds": 604800,
        "succeeded": "Backup has been created.",
    },
}
DEFAULT_TYPE = "CleanGPJobs"


def task_data(rng: random.Random, owner: str, org: str, task_type: str) -> dict[str, Any]:
    """A task's stored fields (the seed's names); ``created`` None: derived from its runs."""
    data: dict[str, Any] = {
        "generation": rng.randint(1, 9),
        "created": None,
        "active": True,
        "ownerId": owner,
        "orgId": org,
        "itemId": _uuid(rng),
        "taskState": "active",
        "maxOccurrences": -1,
        "age": rng.randint(3600, 400 * 86400),  # seconds between its creation and first run
    }
    set_type(data, task_type)
    return data


def set_type(data: dict[str, Any], task_type: str) -> None:
    config = TASK_TYPES.get(task_type)
    if config is None:
        raise FakeRunsError(f"arcgis taskType={task_type!r}; use one of {', '.join(TASK_TYPES)}")
    data["taskType"] = task_type
    for key in ("type", "taskTitle", "cronExpression", "runIntervalSeconds"):
        data[key] = config[key]
    data["cronSchedule"] = dict(config["cronSchedule"])


def succeeded_text(data: dict[str, Any]) -> str:
    config = TASK_TYPES.get(data.get("taskType", DEFAULT_TYPE), TASK_TYPES[DEFAULT_TYPE])
    return str(config["succeeded"])


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"


def _shown(value: Any) -> Any:
    return us_date(value) if isinstance(value, _dt.datetime) else value


def task_object(parent: Parent) -> dict[str, Any]:
    """The task as each run embeds it, in the seed's key order.

    ``lastStart`` is the newest run's creation truncated to the minute and ``updated`` the
    latest change of any run (``parent.updated_at``); both cost O(1).
    """
    d = parent.data
    ordered = parent.indexes["created"].runs
    created = d["created"]
    if created is None and ordered:
        created = ordered[0].created_at_ - _dt.timedelta(seconds=d["age"])
    out: dict[str, Any] = {
        "generation": d["generation"],
        "created": _shown(created),
        "active": d["active"],
        "ownerId": d["ownerId"],
        "type": d["type"],
        "orgId": d["orgId"],
        "cronSchedule": d["cronSchedule"],
        "cronExpression": d["cronExpression"],
        "itemId": d["itemId"],
        "runIntervalSeconds": d["runIntervalSeconds"],
        "taskType": d["taskType"],
        "taskState": d["taskState"],
        "taskTitle": d["taskTitle"],
        "maxOccurrences": d["maxOccurrences"],
        "id": parent.key,
    }
    if ordered:
        out["lastStart"] = us_date(ordered[-1].created_at_.replace(second=0, microsecond=0))
    if parent.updated_at is not None:
        out["updated"] = us_date(parent.updated_at)
    out["taskId"] = parent.key
    return out


def task_json(parent: Parent) -> bytes:
    """``task_object(parent)`` encoded, reused while its changing fields stay the same."""
    ordered = parent.indexes["created"].runs
    key = (len(ordered), ordered[-1].created_at_ if ordered else None, parent.updated_at)
    cached: tuple[Any, bytes] | None = parent.data.get("_task_json")
    if cached is None or cached[0] != key:
        cached = (key, dump_json(task_object(parent)))
        parent.data["_task_json"] = cached
    return cached[1]


def with_task(own: dict[str, Any], task: dict[str, Any]) -> dict[str, Any]:
    """A run's own fields (``serialize(run, own=True)``) with the task embedded, in the seed's
    key order."""
    return {
        "result": own["result"],
        "task": task,
        "created": own["created"],
        "modified": own["modified"],
        "runId": own["runId"],
        "url": own["url"],
        "status": own["status"],
    }


FAILED_TEXT = "Task execution failed."
RUN_FIELDS = ("result", "taskType")


def new_parent(gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
    default_key = gen.hex(32, gen.derived("task:None"))
    if key is None:
        key = default_key
    rng = gen.derived(f"task:{key}")
    owner = gen.hex(32, gen.derived("owner"))
    org = gen.hex(16, gen.derived("org")).upper()
    return key, task_data(rng, owner, org, DEFAULT_TYPE)


def run_fields(gen: Gen, parent: Parent, given: dict[str, Any], at: Position) -> dict[str, Any]:
    if not given:
        return {}
    unknown = sorted(set(given) - set(RUN_FIELDS))
    if unknown:
        raise FakeRunsError(
            f"arcgis add_run() got unknown field(s) {', '.join(unknown)}; allowed: "
            "state/status, outcome, created_at, durations, reason, task_id/taskID, runId, "
            f"{', '.join(RUN_FIELDS)}"
        )
    task_type = given.get("taskType")
    if task_type is not None and task_type != parent.data["taskType"]:
        if parent.runs:
            raise FakeRunsError(
                f"arcgis task {parent.key!r} is a {parent.data['taskType']} task with runs; "
                f"taskType={task_type!r} can only be chosen for a new task"
            )
        set_type(parent.data, task_type)
    fields: dict[str, Any] = {}
    if "result" in given:
        if not isinstance(given["result"], str):
            raise FakeRunsError(f"arcgis result= takes a string, not {given['result']!r}")
        fields["result"] = given["result"]
    return fields


def serialize(run: Run, own: bool = False, slot: bool = False) -> Any:
    """The run object; ``own=True``: without ``task`` (it depends on the run alone, so
    ``ctx.show`` caches it; handlers add the page's task with :func:`with_task`);
    ``slot=True``: the task's place holds ``SHARED_SLOT``, filled per page."""
    vendor = run.owner
    parent = vendor.store.parents[run.parent]
    if slot:
        return with_task(serialize(run, own=True), SHARED_SLOT)  # type: ignore[arg-type]
    if own:
        return {
            "result": result_text(run, parent.data),
            "created": us_date(run.created_at_),
            "modified": us_date(run.updated_at),
            "runId": run.id,
            "url": "",
            "status": run.status,
        }
    vendor.store.catch_up()  # the task's `updated` counts every transition due by now
    return with_task(serialize(run, own=True), task_object(parent))


def result_text(run: Run, task: dict[str, Any]) -> str:
    text = run.fields.get("result")
    if run.state_ is State.COMPLETED:
        return text if text is not None else succeeded_text(task)
    if run.state_ is State.FAILED:
        return run.reason or text or FAILED_TEXT
    return text or ""
