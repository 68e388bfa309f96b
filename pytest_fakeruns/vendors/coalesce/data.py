"""Coalesce data: environments, the fields of a generated run, and the two shapes of a run
(docs/contracts/coalesce.md sections 4, 5).
"""

from __future__ import annotations

from typing import Any

from pytest_fakeruns.vendor_kit import (
    FakeRunsError,
    Gen,
    Parent,
    Position,
    Run,
    State,
    iso_seconds,
    one_of,
)

from .scheduler import DEFAULT_PARALLELISM

RUN_TYPES = ("deploy", "refresh")
PUBLIC_CREDENTIALS = (
    "snowflakeAccount",
    "snowflakeAuthType",
    "snowflakeUsername",
    "snowflakeRole",
    "snowflakeWarehouse",
)

FAILURE_REASONS = (
    "SQL compilation error: Object 'ANALYTICS.STG_ORDERS' does not exist or not authorized.",
    "SQL execution error: Numeric value 'N/A' is not recognized.",
    "Warehouse 'TRANSFORM_WH' cannot be resumed because resource monitor has exceeded its quota.",
    "Node 'DIM_CUSTOMER' failed: Duplicate row detected during DML action.",
    "Authentication token has expired. The user must authenticate again.",
)

# vendor fields add_run accepts (besides the canonical keys and environment_id/environmentID)
RUN_FIELDS = (
    "runType",
    "reRunID",
    "jobID",
    "includeNodesSelector",
    "excludeNodesSelector",
    "parallelism",
    "nodesInRun",
    "deployCommit",
    "deployCommitMessage",
    "runTimeParameters",
    "userCredentials",
    "userID",
    "runFailureReason",
)
_RUN_FIELD_SET = frozenset(RUN_FIELDS)
_FAILED = State.FAILED  # a global: State.FAILED costs an EnumType hook call on 3.11


def new_parent(gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
    rng = gen.derived(f"environment:{key}")
    if key is None:
        key = str(rng.randint(1, 40))
    account = f"{gen.hex(7, rng).upper()}.us-east-1"
    return key, {"snowflakeAccount": account, "userID": gen.hex(28, rng)}


def run_fields(gen: Gen, parent: Parent, given: dict[str, Any], at: Position) -> dict[str, Any]:
    unknown = sorted(set(given) - _RUN_FIELD_SET) if given else None
    if unknown:
        raise FakeRunsError(
            f"coalesce add_run() got unknown field(s) {', '.join(unknown)}; allowed: "
            "state/runStatus, outcome, created_at, durations, reason, "
            f"environment_id/environmentID, {', '.join(RUN_FIELDS)}"
        )
    rnd = gen.rng.random
    run_type = given.pop("runType", None) or ("deploy" if rnd() < 0.2 else "refresh")
    if run_type not in RUN_TYPES:
        raise FakeRunsError(f"runType={run_type!r}; use one of {one_of(RUN_TYPES)}")
    given_creds = given.pop("userCredentials", None) or {}
    if not isinstance(given_creds, dict):
        raise FakeRunsError("userCredentials is a dict like {'snowflakeRole': 'LOADER'}")
    shared = parent.data.get("_credentials") or _credentials(gen, parent)
    creds = shared[int(rnd() * len(shared))]
    if given_creds:
        creds = {**creds, **given_creds}  # what is not given keeps its generated value
    fields: dict[str, Any] = {
        "runType": run_type,
        "environmentID": parent.key,
        "parallelism": DEFAULT_PARALLELISM,
        "nodesInRun": 3 + int(rnd() * 238),
        "runTimeParameters": {},
        "userID": parent.data["userID"],
        "userCredentials": creds,  # shared by the parent's runs: never mutated
    }
    if run_type == "deploy":
        fields["deployCommit"] = gen.hex(40)
        fields["deployCommitMessage"] = gen.pick("commits", 12, _commit_message)
    else:
        fields["jobID"] = str(1 + int(rnd() * 30))
        fields["includeNodesSelector"] = ""
        fields["excludeNodesSelector"] = ""
    if at.state is _FAILED and "runFailureReason" not in given:
        fields["runFailureReason"] = FAILURE_REASONS[int(rnd() * len(FAILURE_REASONS))]
    fields.update(given)
    return fields


def _credentials(gen: Gen, parent: Parent) -> list[dict[str, str]]:
    """The environment's few Snowflake logins, made once per parent."""
    found: list[dict[str, str]] | None = parent.data.get("_credentials")
    if found is None:
        found = [
            {
                "snowflakeAccount": parent.data["snowflakeAccount"],
                "snowflakeAuthType": "Basic",
                "snowflakeUsername": user,
                "snowflakeRole": "TRANSFORMER",
                "snowflakeWarehouse": "TRANSFORM_WH",
            }
            for user in gen.pool("users", 6, _snowflake_user)
        ]
        parent.data["_credentials"] = found
    return found


def _snowflake_user(faker: Any) -> str:
    return str(faker.user_name()).upper()


def _commit_message(faker: Any) -> str:
    return str(faker.sentence(nb_words=6)).rstrip(".")


# -- the two shapes of a run (contract section 4) --------------------------------------------


def summary_run(run: Run) -> dict[str, Any]:
    """One item of the list with ``detail=false``; also ``run.to_json()``."""
    f = run.fields
    out: dict[str, Any] = {"id": run.id}
    if f.get("reRunID") is not None:
        out["reRunID"] = f["reRunID"]
    if run.started_at_ is not None:
        out["runStartTime"] = iso_seconds(run.started_at_)
    if run.ended_at_ is not None:
        out["runEndTime"] = iso_seconds(run.ended_at_)
    out["runType"] = f["runType"]
    out["runStatus"] = run.status
    out["environmentID"] = f["environmentID"]
    if run.state_ is State.FAILED:
        out["runFailureReason"] = run.reason or f.get("runFailureReason") or FAILURE_REASONS[0]
    return out


def full_run(run: Run) -> dict[str, Any]:
    """The run object of ``GET /api/v1/runs/{runID}`` and of ``detail=true``."""
    f = run.fields
    canceled = run.state_ is State.CANCELED
    details: dict[str, Any]
    if f["runType"] == "deploy":
        details = {
            "deployCommit": f.get("deployCommit", ""),
            "deployCommitMessage": f.get("deployCommitMessage", ""),
            "environmentID": f["environmentID"],
            "canceled": canceled,
            "parallelism": f.get("parallelism", DEFAULT_PARALLELISM),
            "nodesInRun": f.get("nodesInRun", 0),
        }
    else:
        details = {
            "environmentID": f["environmentID"],
            "canceled": canceled,
            "includeNodesSelector": f.get("includeNodesSelector", ""),
            "excludeNodesSelector": f.get("excludeNodesSelector", ""),
            "jobID": f.get("jobID", ""),
            "parallelism": f.get("parallelism", DEFAULT_PARALLELISM),
            "nodesInRun": f.get("nodesInRun", 0),
        }
    out: dict[str, Any] = {
        "id": run.id,
        "runDetails": details,
        "runStatus": run.status,
        "runTimeParameters": f.get("runTimeParameters", {}),
        "runType": f["runType"],
        "version": 1,
    }
    if f.get("reRunID") is not None:
        out["reRunID"] = f["reRunID"]
    if run.ended_at_ is not None:
        out["runEndTime"] = iso_seconds(run.ended_at_)
    if run.started_at_ is not None:
        out["runStartTime"] = iso_seconds(run.started_at_)
    creds = f["userCredentials"]
    out["userCredentials"] = {k: creds[k] for k in PUBLIC_CREDENTIALS if k in creds}
    out["userID"] = f["userID"]
    return out


def serialize(run: Run, detail: bool = False) -> dict[str, Any]:
    """``detail=True``: the full object; otherwise the summary item (also ``run.to_json()``)."""
    return full_run(run) if detail else summary_run(run)
