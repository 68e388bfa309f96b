"""The core's dispatch, vendor-neutral: processing order, and the fake's own bugs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import requests

from pytest_fakeruns import (
    Context,
    DeprecatedEndpointWarning,
    FakeRuns,
    FakeRunsError,
    Gen,
    Response,
    Route,
    Run,
    State,
    Step,
    VendorDefinition,
    Vocabulary,
)
from pytest_fakeruns._http import json_response

ROOT = "https://boom.example/api"


class Boom(VendorDefinition):
    """A tiny vendor: one list route, one route with a bug, auth by a header."""

    name = "boom"
    default_base_url = ROOT
    parent_keyword = "pipeline"
    vocabulary = Vocabulary(
        steps=(Step("queued", State.WAITING), Step("busy", State.RUNNING)),
        terminal_words={State.COMPLETED: "ok", State.FAILED: "bad", State.CANCELED: "off"},
        durations={State.WAITING: 1.0, State.RUNNING: 1.0},
    )

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/runs", self.list_runs, list_route=True),
            Route("GET", "/bug", self.bug),
        ]

    def authenticate(self, ctx: Context) -> None:
        if ctx.request.headers.get("X-Key") != "k":
            raise ctx.fail(401)

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        return json_response({"status": status, "why": message or "no"}, status)

    def new_parent(self, gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
        return key or "main", {}

    def serialize(self, run: Run, **options: Any) -> Any:
        return {"id": run.id, "status": run.status}

    def list_runs(self, ctx: Context) -> Response:
        if "bad" in ctx.query:
            raise ctx.fail(400, "bad is not allowed")
        return ctx.json([ctx.show(run) for run in ctx.vendor.store.runs])

    def bug(self, ctx: Context) -> Response:
        return ctx.json({"ratio": 1 / 0})


@pytest.fixture
def fake() -> Any:
    with FakeRuns(seed=3, vendors=[Boom]) as fake:
        yield fake


def test_a_bug_in_a_handler_raises_in_the_test_not_a_500(fake: FakeRuns) -> None:
    with pytest.raises(FakeRunsError, match=r"boom GET /bug: ZeroDivisionError.*bug in the fake"):
        requests.get(ROOT + "/bug", headers={"X-Key": "k"})
    with pytest.raises(FakeRunsError, match="ZeroDivisionError"):
        httpx.get(ROOT + "/bug", headers={"X-Key": "k"})


def test_processing_order_sunset_then_fault_then_auth_then_parameters(fake: FakeRuns) -> None:
    boom = fake.vendor("boom")
    now = fake.clock.now()
    boom.deprecate(now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    fake.inject(status=503, vendor="boom", times=1)

    def status(**kwargs: Any) -> int:
        with pytest.warns(DeprecatedEndpointWarning):
            return requests.get(ROOT + "/runs", **kwargs).status_code

    assert status(params={"bad": 1}) == 503  # the fault answers before auth
    assert status(params={"bad": 1}) == 401  # auth before the parameters
    assert status(params={"bad": 1}, headers={"X-Key": "k"}) == 400
    assert status(headers={"X-Key": "k"}) == 200
    fake.clock.advance(dt.timedelta(days=2))
    fake.inject(status=500, vendor="boom")
    assert status() == 410  # the sunset before any fault and before auth


def test_a_pack_vendor_shares_the_store_clock_lifecycle_and_journal(fake: FakeRuns) -> None:
    run = fake.vendor("boom").add_run()
    fake.clock.advance(5)
    answer = requests.get(ROOT + "/runs", headers={"X-Key": "k"})
    assert answer.json() == [{"id": run.id, "status": "ok"}]
    assert fake.calls[-1].vendor == "boom"
    assert fake.vendor("boom") is fake.boom  # type: ignore[attr-defined]
