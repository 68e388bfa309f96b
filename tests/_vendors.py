"""Per-vendor facts the cross-vendor scenario suites need, as data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_fakeruns import FakeRuns, Run

BASIC = "Basic dXNlcjpwYXNz"  # user:pass


def _arcgis_status(status: int) -> int:
    # ArcGIS reports application errors inside HTTP 200; gateways and limits are real statuses
    return status if status in (410, 429, 502, 503, 504) else 200


@dataclass(frozen=True)
class VendorCase:
    name: str
    headers: dict[str, str]
    params: dict[str, str]
    list_path: Callable[[Run], str]
    run_path: Callable[[Run], str]  # where a client polls one run
    status_in: Callable[[Any, Run], str]  # the run's status word in that answer
    envelope: Callable[[int, Any], bool]  # body is the vendor's error envelope for a status
    http_status: Callable[[int], int] = lambda s: s
    path_words: tuple[str, ...] = field(default=())  # waitingToRun, running, completed words

    def __str__(self) -> str:
        return self.name


def _find(items: list[dict[str, Any]], key: str, run: Run) -> dict[str, Any]:
    return next(item for item in items if str(item[key]) == str(run.id))


CASES = [
    VendorCase(
        "coalesce",
        {"Authorization": "Bearer t0k3n"},
        {},
        lambda run: "/api/v1/runs",
        lambda run: f"/api/v1/runs/{run.id}",
        lambda body, run: body["runStatus"],
        lambda s, b: (
            isinstance(b, dict) and isinstance(b.get("error"), dict) and "errorString" in b["error"]
        ),
        path_words=("waitingToRun", "running", "completed"),
    ),
    VendorCase(
        "workiva",
        {"Authorization": "Bearer t0k3n"},
        {},
        lambda run: f"/prototype/platform/scripts/{run.parent}/runs",
        lambda run: f"/prototype/platform/scripts/{run.parent}/runs",
        lambda body, run: _find(body["data"], "id", run)["status"],
        lambda s, b: isinstance(b, dict) and str(b.get("code", "")).startswith(str(s)),
        path_words=("queued", "started", "completed"),
    ),
    VendorCase(
        "arcgis",
        {},
        {"f": "json", "token": "t0k3n"},
        lambda run: f"/system/tasks/{run.parent}/runs",
        lambda run: f"/system/tasks/{run.parent}/runs/{run.id}",
        lambda body, run: body["status"],
        lambda s, b: (
            isinstance(b, dict)
            and isinstance(b.get("error"), dict)
            and b["error"].get("code") in (s, 498, 499)
        ),
        _arcgis_status,
        path_words=("scheduled", "executing", "succeeded"),
    ),
    VendorCase(
        "kinetic",
        {"Authorization": BASIC},
        {},
        lambda run: f"/app/api/v1/sources/{run.parent}/runs",
        lambda run: f"/app/api/v1/sources/{run.parent}/runs/{run.id}",
        lambda body, run: body["run"]["status"],
        lambda s, b: isinstance(b, dict) and isinstance(b.get("message"), str),
        path_words=("Staged", "Started", "Complete"),
    ),
    VendorCase(
        "enterprise_tester",
        {"Authorization": BASIC},
        {},
        lambda run: f"/api/scriptassignment/{run.parent}/runs",
        lambda run: f"/api/scriptrun/{run.id}",
        lambda body, run: body["Status"],
        lambda s, b: isinstance(b, dict) and isinstance(b.get("Message"), str),
        path_words=("Not Run", "In Progress", "Passed"),
    ),
]

BY_NAME = {case.name: case for case in CASES}


WORKIVA_SUNSET = dt.datetime(2027, 1, 31, tzinfo=dt.timezone.utc)


def pin(fake: FakeRuns, case: VendorCase) -> None:
    """Keep Workiva's deprecated list route alive whatever today's date is."""
    if case.name == "workiva" and fake.clock.now() > WORKIVA_SUNSET - dt.timedelta(days=30):
        fake.clock.set(WORKIVA_SUNSET - dt.timedelta(days=60))


def seed_run(fake: FakeRuns, case: VendorCase, **fields: Any) -> Run:
    """One run of the vendor under its default parent, on a clock before any sunset."""
    pin(fake, case)
    return fake.vendor(case.name).add_run(**fields)
