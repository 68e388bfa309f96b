"""Workiva data: scripts (the parent), the fields of a run and the run object
(docs/contracts/workiva.md §4).
"""

from __future__ import annotations

from typing import Any

from pytest_fakeruns.vendor_kit import FakeRunsError, Gen, Parent, Position, Run, iso_seconds

RUN_FIELDS = ("user",)
_USER_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def new_parent(gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
    rng = gen.derived(f"script:{key}")
    if key is None:
        key = gen.hex(32, rng)
    user = "V" + rng.choice("0123") + "ZVc2Vy" + "".join(rng.choices(_USER_CHARS, k=23))
    return key, {"user": user}


def run_fields(gen: Gen, parent: Parent, given: dict[str, Any], at: Position) -> dict[str, Any]:
    if given:
        unknown = sorted(set(given) - set(RUN_FIELDS))
        if unknown:
            raise FakeRunsError(
                f"workiva add_run() got unknown field(s) {', '.join(unknown)}; allowed: "
                "state/status, outcome, created_at, durations, reason, script_id/scriptId, "
                f"id, {', '.join(RUN_FIELDS)}"
            )
        user = given["user"]
        if not isinstance(user, str) or not user:
            raise FakeRunsError(f"workiva user= takes a non-empty user id, not {user!r}")
        return {"user": user}
    return {"user": parent.data["user"]}


def serialize(run: Run) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if run.ended_at_ is not None:
        out["completed"] = {"dateTime": iso_seconds(run.ended_at_)}
    out["created"] = {
        "dateTime": iso_seconds(run.created_at_),
        "user": {"id": run.fields["user"]},
    }
    out["id"] = run.id
    if run.started_at_ is not None:
        out["started"] = {"dateTime": iso_seconds(run.started_at_)}
    out["status"] = run.status
    return out
