"""Coalesce ``/scheduler`` routes: startRun, runStatus, cancelRun, rerun (contract 3.3-3.6).

The scheduler documents only 200/400/401: an unknown environment or run is a 400 here.
"""

from __future__ import annotations

from typing import Any

from pytest_fakeruns.vendor_kit import Context, Parent, Response, Run, one_of, parse_int

AUTH_TYPES = ("Basic", "KeyPair", "OAuth")
# credentials each snowflakeAuthType needs (contract 3.3)
NEEDED = {
    "Basic": ("snowflakeUsername", "snowflakePassword"),
    "KeyPair": ("snowflakeKeyPairKey",),
    "OAuth": (),
}
SHOWN_CREDENTIALS = (
    "snowflakeAuthType",
    "snowflakeUsername",
    "snowflakeRole",
    "snowflakeWarehouse",
)
CREDENTIAL_STRINGS = (
    "snowflakeUsername",
    "snowflakePassword",
    "snowflakeKeyPairKey",
    "snowflakeKeyPairPass",
    "snowflakeWarehouse",
    "snowflakeRole",
)
SELECTORS = ("jobID", "includeNodesSelector", "excludeNodesSelector")
MAX_PARALLELISM = 1024
DEFAULT_PARALLELISM = 16


# -- body parsing ----------------------------------------------------------------------------


def _json_object(ctx: Context) -> dict[str, Any]:
    ok, body = ctx.body_json()
    if not ok or not isinstance(body, dict):
        why = "" if ctx.body_problem is None else f" {ctx.body_problem}"
        raise ctx.fail(400, f"The request body must be a JSON object.{why}")
    return body


def _object(ctx: Context, body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise ctx.fail(400, f"{name} is required and must be an object")
    return value


def _string(ctx: Context, where: dict[str, Any], name: str, label: str) -> str:
    value = where.get(name)
    if not isinstance(value, str) or not value:
        raise ctx.fail(400, f"{label} is required and must be a non-empty string")
    return value


def _run_number(ctx: Context, value: object, label: str) -> int:
    """A run number: a JSON integer or a numeric string (as the MCP sends), never negative."""
    number = parse_int(value)
    if number is None or number < 0:
        raise ctx.fail(400, f"{label} must be a non-negative integer")
    return number


def _credentials(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    creds = _object(ctx, body, "userCredentials")
    for name in CREDENTIAL_STRINGS:
        if name in creds and not isinstance(creds[name], str):
            raise ctx.fail(400, f"userCredentials.{name} must be a string")
    auth = creds.get("snowflakeAuthType", "Basic")
    if not isinstance(auth, str) or auth not in AUTH_TYPES:
        raise ctx.fail(
            400, f"userCredentials.snowflakeAuthType must be one of {one_of(AUTH_TYPES)}"
        )
    for name in NEEDED[auth]:
        if not creds.get(name):
            raise ctx.fail(
                400, f"userCredentials.{name} is required when snowflakeAuthType is {auth}"
            )
    return creds


def _parameters(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    params = body.get("parameters")
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise ctx.fail(400, "parameters must be an object")
    return params


def _job(ctx: Context, details: dict[str, Any]) -> dict[str, Any]:
    """The optional refresh fields of ``runDetails``, as the run will show them."""
    job: dict[str, Any] = {}
    for name in SELECTORS:
        value = details.get(name, "")
        if not isinstance(value, str):
            raise ctx.fail(400, f"runDetails.{name} must be a string")
        job[name] = value
    par = details.get("parallelism", DEFAULT_PARALLELISM)
    if isinstance(par, bool) or not isinstance(par, int) or not 1 <= par <= MAX_PARALLELISM:
        raise ctx.fail(
            400, f"runDetails.parallelism must be an integer from 1 to {MAX_PARALLELISM}"
        )
    job["parallelism"] = par
    force = details.get("forceIgnoreWorkspaceStatus")
    if force is not None and not isinstance(force, bool):
        raise ctx.fail(400, "runDetails.forceIgnoreWorkspaceStatus must be true or false")
    return job


# -- runs ------------------------------------------------------------------------------------


def _new_refresh(
    ctx: Context, parent: Parent, creds: dict[str, Any], params: dict[str, Any], **fields: Any
) -> Run:
    """A refresh run in ``waitingToRun``; it keeps no secret of the credentials."""
    shown = {name: creds[name] for name in SHOWN_CREDENTIALS if creds.get(name)}
    shown.setdefault("snowflakeAuthType", "Basic")
    given = {"runType": "refresh", "runTimeParameters": params, "userCredentials": shown, **fields}
    return ctx.vendor.create_run(given, parent=parent)


def _known_run(ctx: Context, number: int) -> Run:
    return ctx.run_or_fail(number, 400, f"Run {number} was not found.")


# -- handlers --------------------------------------------------------------------------------


def start_run(ctx: Context) -> Response:
    body = _json_object(ctx)
    details = _object(ctx, body, "runDetails")
    env = _string(ctx, details, "environmentID", "runDetails.environmentID")
    job = _job(ctx, details)
    creds = _credentials(ctx, body)
    params = _parameters(ctx, body)
    parent = ctx.parent_or_fail(env, 400, f"Environment {env} was not found.")
    run = _new_refresh(ctx, parent, creds, params, **job)
    return ctx.json({"runCounter": run.id})


def run_status(ctx: Context) -> Response:
    raw = ctx.query.get("runCounter")
    if raw is None:
        raise ctx.fail(400, "runCounter is required")
    run = _known_run(ctx, _run_number(ctx, raw, "runCounter"))
    shown = ctx.show(run)
    return ctx.json(
        {
            "runStatus": shown["runStatus"],
            "runType": shown["runType"],
            "runLink": f"{ctx.root}/runs/{run.id}",
        }
    )


def cancel_run(ctx: Context) -> Response:
    body = _json_object(ctx)
    if "runID" not in body:
        raise ctx.fail(400, "runID is required")
    number = _run_number(ctx, body["runID"], "runID")
    _string(ctx, body, "orgID", "orgID")
    env = _string(ctx, body, "environmentID", "environmentID")
    run = _known_run(ctx, number)
    if run.fields["environmentID"] != env:
        raise ctx.fail(400, f"Run {number} does not belong to environment {env}.")
    if run.state.terminal:
        raise ctx.fail(400, f"Run {number} is not in progress.")
    run.cancel()
    return Response(204)


def rerun(ctx: Context) -> Response:
    body = _json_object(ctx)
    details = _object(ctx, body, "runDetails")
    if "runID" not in details:
        raise ctx.fail(400, "runDetails.runID is required")
    number = _run_number(ctx, details["runID"], "runDetails.runID")
    creds = _credentials(ctx, body)
    params = _parameters(ctx, body)
    original = _known_run(ctx, number)
    if not original.state.terminal:
        raise ctx.fail(400, f"Run {number} is still in progress; only an ended run can be re-run.")
    job = {k: original.fields[k] for k in (*SELECTORS, "parallelism") if k in original.fields}
    parent = ctx.vendor.store.parents[original.parent]
    run = _new_refresh(ctx, parent, creds, params, reRunID=str(original.id), **job)
    return ctx.json({"runCounter": run.id})
