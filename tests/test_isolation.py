"""Sharing is safe: a test never sees what an earlier test did to its ``fake_runs``.

What is the same for every test (route tables, definitions, parsed settings) may be built once
per process; what a test changes must not outlive it. Each generated suite alternates tests
that change everything they can (runs, parents, faults, clock, deprecations, require_auth,
the test's own ``responses`` mocks, hooks and the journal) with tests that check a clean fake,
observed through ``requests`` and ``httpx`` and from Python, against a fake built outside the
plugin. Some dirtying tests fail after a request, or die inside a handler mid-request.
"""

from __future__ import annotations

import pytest

CONFTEST = '''
from typing import Any

import pytest

from pytest_fakeruns import Route, State, Step, VendorDefinition, Vocabulary

SEEN = []        # (nodeid, kind, ...) from the fakeruns hooks
CURRENT = [None]


class Boom(VendorDefinition):
    """A vendor whose one handler stores a run and then raises."""

    name = "boom"
    default_base_url = "https://boom.example"
    parent_keyword = "parent"
    vocabulary = Vocabulary(
        steps=(Step("pending", State.WAITING), Step("running", State.RUNNING)),
        terminal_words={State.COMPLETED: "ok", State.FAILED: "failed",
                        State.CANCELED: "cancelled"},
        durations={State.WAITING: 1.0, State.RUNNING: 1.0},
        status_field="status",
    )

    def routes(self) -> list[Route]:
        return [Route("POST", "/boom", explode, auth=False)]

    def error(self, ctx: Any, status: int, message: Any, **extra: Any) -> Any:
        return ctx.json({"error": status, "message": message}, status)

    def new_parent(self, gen: Any, key: Any) -> tuple[str, dict[str, Any]]:
        return key or "p0", {}

    def new_run_id(self, gen: Any) -> str:
        return "b-" + gen.hex(8)

    def serialize(self, run: Any, **options: Any) -> Any:
        return {"id": run.id, "status": run.status}


def explode(ctx: Any) -> Any:
    ctx.vendor.create_run({})
    raise RuntimeError("boom: the handler died mid-request")


def pytest_fakeruns_vendors():
    return [Boom]


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): pytest-xdist's group marker")


def pytest_runtest_setup(item):
    CURRENT[0] = item.nodeid


def pytest_fakeruns_setup(fake_runs):
    SEEN.append((CURRENT[0], "setup"))


def pytest_fakeruns_transition(run, old, new):
    SEEN.append((CURRENT[0], "transition", run.vendor, str(run.id)))


def pytest_fakeruns_call(call):
    SEEN.append((CURRENT[0], "call", call.vendor, call.method, call.path))
'''

HELPERS = '''
import datetime as dt

import httpx
import pytest
import requests

from conftest import CURRENT, SEEN, Boom
from pytest_fakeruns import FakeRuns

pytestmark = [pytest.mark.fake_runs(seed=7), pytest.mark.xdist_group("isolation")]

GUID = "00000000-0000-4000-8000-000000000001"
BEARER = {"Authorization": "Bearer t"}
BASIC = {"Authorization": "Basic dXNlcjpwYXNz"}
LISTS = {
    "coalesce": ("/api/v1/runs?limit=5", BEARER),
    "workiva": ("/prototype/platform/scripts/p1/runs", BEARER),
    "arcgis": ("/system/tasks/p1/runs?f=json&token=t", {}),
    "kinetic": ("/app/api/v1/sources/p1/runs", BASIC),
    "enterprise_tester": (f"/api/scriptassignment/{GUID}/runs", BASIC),
}
PARENTS = {"enterprise_tester": GUID}  # the others take any key; "p1"
SHOWN = ("content-type", "deprecation", "sunset", "link", "retry-after", "www-authenticate")


def answer(status, headers, body):
    kept = {k.lower(): v for k, v in headers.items() if k.lower() in SHOWN}
    return status, kept, body


def observe(fake):
    """What a clean fake answers, over both clients, and what it holds."""
    seen = {}
    with httpx.Client() as client:
        for name, (tail, auth) in LISTS.items():
            url = fake.vendor(name).base_url + tail
            r = requests.get(url, headers=auth)
            seen[name, "requests"] = answer(r.status_code, r.headers, r.content)
            h = client.get(url, headers=auth)
            seen[name, "httpx"] = answer(h.status_code, h.headers, h.content)
            r = requests.get(url)  # no credentials: refused while require_auth holds
            seen[name, "anonymous"] = r.status_code
        coalesce = fake.vendor("coalesce").base_url
        mocked = requests.get(coalesce + "/api/v1/runs/77", headers=BEARER)
        seen["test mock gone"] = mocked.status_code
    vendors = [fake.vendor(name) for name in [*LISTS, "boom"]]
    seen["runs"] = {v.name: len(v.runs()) for v in vendors}
    seen["parents"] = {v.name: v.parent(PARENTS.get(v.name, "p1")) for v in vendors}
    seen["require_auth"] = {v.name: v.require_auth for v in vendors}
    return seen


with FakeRuns(seed=7, vendors=[Boom]) as _reference:
    BASELINE = observe(_reference)


def check_clean(fake_runs, request):
    me = request.node.nodeid
    assert fake_runs.calls == [] and fake_runs.unmatched == []
    assert fake_runs.deprecated_used == {}
    drift = fake_runs.clock.now() - dt.datetime.now(dt.timezone.utc)
    assert abs(drift.total_seconds()) < 5
    assert [e for e in SEEN if e[0] == me] == [(me, "setup")]
    seen = observe(fake_runs)
    assert seen == BASELINE
    mine = [e for e in SEEN if e[0] == me]
    assert all(e[1] != "transition" for e in mine), mine
    assert len([e for e in mine if e[1] == "call"]) == len(fake_runs.calls)
    # the journal holds this test's requests only
    assert {c.vendor for c in fake_runs.calls} == set(LISTS)


def dirty(fake):
    """Change everything a test can change, through Python, requests and httpx."""
    for name, vendor in fake.vendors.items():
        vendor.add_runs(30)
        vendor.add_parent(PARENTS.get(name, "p1"))
        vendor.require_auth = False
    fake.vendor("coalesce").deprecate(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    fake.vendor("workiva").deprecate(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
                           sunset_at=dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc))
    fake.inject(status=503, vendor="kinetic")
    fake.inject(status=429, vendor="enterprise_tester", retry_after=9)
    fake.inject(error="timeout", vendor="arcgis")
    fake.clock.advance(dt.timedelta(days=3))
    fake.responses.get(fake.vendor("coalesce").base_url + "/api/v1/runs/77", json={"mocked": True})
    for name, (tail, _) in LISTS.items():
        url = fake.vendor(name).base_url + tail
        try:
            requests.get(url)
            httpx.get(url)
        except (requests.Timeout, httpx.TimeoutException):
            assert name == "arcgis"
    assert fake.calls and fake.deprecated_used
    assert any(e[:2] == (CURRENT[0], "transition") for e in SEEN)
'''

ROUND = """

def test_{r}_1_check(fake_runs, request):
    check_clean(fake_runs, request)


def test_{r}_2_dirty_passes(fake_runs):
    dirty(fake_runs)


def test_{r}_3_check(fake_runs, request):
    check_clean(fake_runs, request)


def test_{r}_4_dirty_fails_after_a_request(fake_runs):
    dirty(fake_runs)
    assert False, "the test fails after its requests"


def test_{r}_5_check(fake_runs, request):
    check_clean(fake_runs, request)


def test_{r}_6_dirty_handler_raises_mid_request(fake_runs):
    dirty(fake_runs)
    requests.post(fake_runs.vendor("boom").base_url + "/boom")


def test_{r}_7_check(fake_runs, request):
    check_clean(fake_runs, request)
    assert fake_runs.vendor("boom").runs() == []


def test_{r}_8_dirty_httpx_handler_raises(fake_runs):
    dirty(fake_runs)
    httpx.post(fake_runs.vendor("boom").base_url + "/boom")


def test_{r}_9_check(fake_runs, request):
    check_clean(fake_runs, request)
"""

ROUNDS = 3
PASSED = 6 * ROUNDS  # per round: five checks and one dirtying test pass, three fail
FAILED = 3 * ROUNDS


def make_suite(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    body = HELPERS + "".join(ROUND.format(r=f"r{r}") for r in range(ROUNDS))
    pytester.makepyfile(test_isolated=body)


def assert_only_the_dirty_tests_failed(result: pytest.RunResult) -> None:
    result.assert_outcomes(passed=PASSED, failed=FAILED)
    failed = [line for line in result.outlines if line.startswith("FAILED")]
    assert len(failed) == FAILED
    assert all("_dirty_" in line for line in failed), failed


def test_consecutive_tests_share_nothing(pytester: pytest.Pytester) -> None:
    make_suite(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert_only_the_dirty_tests_failed(result)
    result.stdout.fnmatch_lines(["*boom: the handler died mid-request*"])


def test_consecutive_tests_share_nothing_under_xdist(pytester: pytest.Pytester) -> None:
    make_suite(pytester)
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", timeout=300)
    assert_only_the_dirty_tests_failed(result)


def test_consecutive_tests_share_nothing_under_xdist_loadgroup(
    pytester: pytest.Pytester,
) -> None:
    """One group: every test runs in one worker, in file order, dirty then check."""
    make_suite(pytester)
    result = pytester.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "--dist", "loadgroup", timeout=300
    )
    assert_only_the_dirty_tests_failed(result)
