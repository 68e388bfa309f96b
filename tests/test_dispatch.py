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
from pytest_fakeruns._faults import FaultAnswer, FaultBook
from pytest_fakeruns._http import Request, json_response
from pytest_fakeruns._outcome import Outcome

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
    assert fake.vendor("boom") is fake.boom


# -- one-way flow: dispatch returns an outcome, handle records it ---------------------------


class Hook:
    """Stands for pytest's hook relay: records what the fake reports."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.transitions: list[tuple[str, str]] = []

    def pytest_fakeruns_call(self, call: Any) -> None:
        self.calls.append(call)

    def pytest_fakeruns_transition(self, run: Run, old: State, new: State) -> None:
        self.transitions.append((old.value, new.value))


def _request(path: str, method: str = "GET", **headers: str) -> Request:
    return Request(method, ROOT + path, headers)


def test_dispatch_returns_the_outcome_and_records_nothing(fake: FakeRuns) -> None:
    boom = fake.vendor("boom")
    now = fake.clock.now()
    boom.deprecate(now - dt.timedelta(days=1))
    book = FaultBook(1, {"boom": boom.router}, fake.lock)
    fault = book.inject(status=503, times=1)
    outcome = boom.dispatch(_request("/runs"), "/runs", book)
    assert isinstance(outcome, Outcome)
    assert (outcome.response.status, outcome.fault, outcome.near) == (503, fault, ())
    assert outcome.route is not None and outcome.route.template == "/runs"
    assert outcome.deprecation is not None
    assert outcome.response.headers["Retry-After"] == "1"
    missed = boom.dispatch(_request("/nowhere"), "/nowhere", book)
    assert (missed.response.status, missed.route) == (404, None)
    assert missed.near and missed.near[0].route.template == "/runs"
    # nothing was recorded on the fake: recording is FakeRuns.handle's job
    assert (fake.calls, fake.unmatched, fake.deprecated_used, fake.faults) == ([], [], {}, [])


def test_handle_records_the_outcome(fake: FakeRuns) -> None:
    boom = fake.vendor("boom")
    boom.deprecate(fake.clock.now() - dt.timedelta(days=1))
    fault = fake.inject(status=429, vendor="boom", times=1, retry_after=4)
    with pytest.warns(DeprecatedEndpointWarning, match="boom: GET /runs is deprecated"):
        assert requests.get(ROOT + "/runs").status_code == 429
    assert fake.calls[-1].fault is fault and fault.hits == 1
    assert fake.calls[-1].delay == 0.0
    assert [key for key in fake.deprecated_used] == [("boom", "GET /runs")]
    assert httpx.get(ROOT + "/nowhere").status_code == 404
    (miss,) = fake.unmatched
    assert (miss.method, miss.url, miss.near[0].route.template) == (
        "GET",
        ROOT + "/nowhere",
        "/runs",
    )


def test_fault_remove_talks_to_its_book(fake: FakeRuns) -> None:
    fault = fake.inject(status=500, vendor="boom")
    assert fake.faults == [fault]
    fault.remove()
    assert fake.faults == []
    assert requests.get(ROOT + "/runs", headers={"X-Key": "k"}).status_code == 200


def test_fault_book_picks_a_fault_and_what_it_answers(fake: FakeRuns) -> None:
    book = FaultBook(5, {"boom": fake.vendor("boom").router}, fake.lock)
    fault = book.inject(error="timeout", path="/runs", after=1)
    assert book.pick("boom", "GET", "/runs", "/runs") is None  # after=1 lets one through
    answer = book.pick("boom", "GET", "/runs", "/runs")
    assert answer == FaultAnswer(fault, None, "timeout", 1, 0.0)
    assert book.pick("boom", "GET", "/bug", "/bug") is None  # another path
    with pytest.raises(FakeRunsError, match="matches no route"):
        book.inject(status=500, path="/missing")


@pytest.mark.parametrize("client", ["requests", "httpx"])
def test_a_call_that_made_the_fake_raise_is_journaled(client: str) -> None:
    hook = Hook()
    with FakeRuns(seed=3, vendors=[Boom], hook=hook) as fake:
        get = requests.get if client == "requests" else httpx.get
        with pytest.raises(FakeRunsError, match="ZeroDivisionError"):
            get(ROOT + "/bug", headers={"X-Key": "k"})
        (call,) = fake.calls
        assert (call.vendor, call.method, call.path, call.status) == ("boom", "GET", "/bug", 500)
        assert call.response_json == {"status": 500, "why": "no"}  # the vendor's envelope
        assert hook.calls == [call]
        fake.assert_called(path="/bug", times=1)


def test_transitions_reach_the_hook_through_one_observer() -> None:
    hook = Hook()
    with FakeRuns(seed=3, progression="manual", vendors=[Boom], hook=hook) as fake:
        run = fake.vendor("boom").add_run()
        run.advance_to("completed")
    assert hook.transitions == [("waitingToRun", "running"), ("running", "completed")]


def test_a_misspelt_vendor_attribute_suggests_the_vendor(fake: FakeRuns) -> None:
    with pytest.raises(AttributeError, match=r"'colaesce'.*did you mean 'coalesce'"):
        fake.colaesce  # noqa: B018
    with pytest.raises(AttributeError, match="did you mean 'boom'"):
        fake.bom  # noqa: B018
    assert "boom" in dir(fake)
    assert fake.coalesce is fake.vendor("coalesce")
