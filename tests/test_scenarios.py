"""The scenarios that break real clients, the same on every vendor and every transport:
faults, retries, transport errors, deprecation, and polling under controlled time."""

from __future__ import annotations

import datetime as dt
import json
import warnings

import freezegun
import httpx
import pytest
import requests
import time_machine
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pytest_fakeruns import DeprecatedEndpointWarning, FakeRuns, FakeRunsError
from tests._clients import Api
from tests._vendors import BY_NAME, CASES, VendorCase, pin, seed_run

FAULT_STATUSES = (400, 401, 403, 404, 409, 429, 500, 502, 503, 504)
vendors = pytest.mark.parametrize("case", CASES, ids=str)


def get_list(api: Api, case: VendorCase, run_parent_of: object) -> object:
    return api.get(
        case.name,
        case.list_path(run_parent_of),  # type: ignore[arg-type]
        headers=case.headers,
        params=case.params,
    )


# -- faults --------------------------------------------------------------------------------


@vendors
@pytest.mark.parametrize("status", FAULT_STATUSES)
def test_injected_status_answers_in_the_vendor_envelope(
    api: Api, case: VendorCase, status: int
) -> None:
    run = seed_run(api.fake, case)
    api.fake.inject(status=status, vendor=case.name, retry_after=4)

    answer = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)

    assert answer.status_code == case.http_status(status)
    assert case.envelope(status, answer.json()), answer.json()
    if status in (429, 503):
        assert answer.headers["Retry-After"] == "4"
    else:
        assert "Retry-After" not in answer.headers


@vendors
def test_times_after_and_hits(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    fault = api.fake.inject(status=500, vendor=case.name, after=1, times=2)

    codes = [
        api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)
        for _ in range(5)
    ]

    failed = [not (a.status_code == 200 and not case.envelope(500, a.json())) for a in codes]
    assert failed == [False, True, True, False, False]
    assert fault.hits == 2
    assert [c.fault is fault for c in api.fake.calls] == failed


@vendors
def test_probability_replays_identically_under_the_same_seed(case: VendorCase) -> None:
    def pattern(seed: int) -> list[bool]:
        with FakeRuns(seed=seed) as fake:
            run = seed_run(fake, case)
            fake.inject(status=503, vendor=case.name, probability=0.3)
            url = fake.vendor(case.name).base_url + case.list_path(run)
            return [
                requests.get(url, headers=case.headers, params=case.params).status_code == 503
                for _ in range(40)
            ]

    first = pattern(5)
    assert first == pattern(5)
    assert 4 <= sum(first) <= 24  # about 30 %, never all or nothing
    assert first != pattern(6)


@vendors
def test_fault_scope_by_vendor_method_and_path_pattern(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    other = next(c for c in CASES if c.name != case.name)
    other_run = seed_run(api.fake, other)
    template = case.list_path(run).replace(str(run.parent), "{parent}")
    api.fake.inject(status=409, vendor=case.name, method="GET", path=template)

    mine = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)
    theirs = api.get(
        other.name, other.list_path(other_run), headers=other.headers, params=other.params
    )

    assert mine.status_code == case.http_status(409) and case.envelope(409, mine.json())
    assert theirs.status_code == 200 and not other.envelope(409, theirs.json())


@pytest.mark.parametrize(
    ("vendor", "method", "path"),
    [
        ("coalesce", "GET", "/api/v1/runs"),
        ("coalesce", "get", "/api/v1/runs/{runID}"),
        ("coalesce", None, "/api/v1/runs/42"),
        ("arcgis", "POST", "/system/tasks/{taskID}/runs/{runID}/update"),
        ("arcgis", None, "/system/tasks/abc/runs"),
        ("kinetic", None, "/app/api/v1/sources/{x}/runs"),
        (None, "POST", None),
    ],
)
def test_fault_scopes_that_name_a_route_are_accepted(
    fake_runs: FakeRuns, vendor: str | None, method: str | None, path: str | None
) -> None:
    assert fake_runs.inject(status=500, vendor=vendor, method=method, path=path).active


def test_a_fault_is_a_context_manager_and_can_be_removed(fake_runs: FakeRuns) -> None:
    case = CASES[0]
    url = fake_runs.coalesce.base_url + "/api/v1/runs"
    with fake_runs.inject(status=502) as fault:
        assert requests.get(url, headers=case.headers).status_code == 502
    assert requests.get(url, headers=case.headers).status_code == 200
    second = fake_runs.inject(status=504)
    second.remove()
    assert requests.get(url, headers=case.headers).status_code == 200
    assert fault.hits == 1 and second.hits == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": 418}, "status must be one of 400, 401, 403, 404, 409, 429, 500, 502, 503, 504"),
        ({"error": "dns"}, "error must be one of connection, timeout, malformed"),
        ({"status": 500, "vendor": "github"}, "vendor must be one of workiva, arcgis"),
        ({}, "exactly one of status"),
        ({"status": 500, "probability": 1.5}, "probability is a number in (0, 1]"),
        ({"status": 500, "times": 0}, "times is a positive int"),
        (
            {"status": 500, "vendor": "coalesce", "path": "/api/v1/run"},
            "matches no route of vendor 'coalesce', so it would never answer",
        ),
        ({"status": 500, "vendor": "workiva", "method": "DELETE"}, "matches no route"),
        ({"status": 500, "path": "/runs"}, "matches no route of any vendor"),
    ],
)
def test_fault_misuse_names_the_allowed_values(
    fake_runs: FakeRuns, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(FakeRunsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fake_runs.inject(**kwargs)  # type: ignore[arg-type]


# -- transport faults ----------------------------------------------------------------------


@vendors
@pytest.mark.parametrize(
    ("error", "requests_exc", "httpx_exc"),
    [
        ("connection", requests.ConnectionError, httpx.ConnectError),
        ("timeout", requests.Timeout, httpx.ReadTimeout),
    ],
)
def test_transport_errors_raise_what_the_client_raises(
    fake_runs: FakeRuns, case: VendorCase, error: str, requests_exc: type, httpx_exc: type
) -> None:
    run = seed_run(fake_runs, case)
    url = fake_runs.vendor(case.name).base_url + case.list_path(run)
    fake_runs.inject(error=error, vendor=case.name)

    with pytest.raises(requests_exc):
        requests.get(url, headers=case.headers, params=case.params, timeout=5)
    with pytest.raises(httpx_exc):
        httpx.get(url, headers=case.headers, params=case.params)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(url, headers=case.headers, params=case.params)

    import asyncio

    with pytest.raises(httpx_exc):
        asyncio.run(go())
    assert [c.status for c in fake_runs.calls] == [0, 0, 0]


@vendors
def test_malformed_cuts_the_usual_body(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    usual = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)
    api.fake.inject(error="malformed", vendor=case.name, times=1)

    cut = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)

    assert cut.status_code == 200
    assert cut.headers["Content-Type"] == usual.headers["Content-Type"]
    assert 1 <= len(cut.content) < len(usual.content)
    assert usual.content.startswith(cut.content)
    with pytest.raises(ValueError):
        json.loads(cut.content)


@vendors
def test_urllib3_retry_recovers_from_429s_and_gives_up_on_503(
    fake_runs: FakeRuns, case: VendorCase
) -> None:
    run = seed_run(fake_runs, case)
    url = fake_runs.vendor(case.name).base_url + case.list_path(run)
    session = requests.Session()
    retry = Retry(
        total=3, status_forcelist=[429, 503], respect_retry_after_header=True, raise_on_status=False
    )
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))

    fault = fake_runs.inject(status=429, vendor=case.name, times=2, retry_after=0)
    assert session.get(url, headers=case.headers, params=case.params).status_code == 200
    assert fault.hits == 2

    fake_runs.inject(status=503, vendor=case.name, retry_after=0)
    assert session.get(url, headers=case.headers, params=case.params).status_code == 503
    assert [c.status for c in fake_runs.calls] == [429, 429, 200, 503, 503, 503, 503]


@vendors
def test_a_faulted_request_changes_nothing(fake_runs: FakeRuns, case: VendorCase) -> None:
    fake_runs.progression = "poll"
    run = seed_run(fake_runs, case)
    url = fake_runs.vendor(case.name).base_url + case.run_path(run)
    fake_runs.inject(status=500, vendor=case.name, times=3)
    for _ in range(3):
        requests.get(url, headers=case.headers, params=case.params)
    assert run.state == "waitingToRun"  # a poll-mode read would have moved it


# -- deprecation ---------------------------------------------------------------------------


@vendors
def test_deprecation_headers_then_410_after_the_sunset(api: Api, case: VendorCase) -> None:
    vendor = api.fake.vendor(case.name)
    run = seed_run(api.fake, case)
    now = api.fake.clock.now()
    if case.name != "workiva":  # Workiva's list route is deprecated by default
        vendor.deprecate(
            now - dt.timedelta(days=30),
            now + dt.timedelta(days=10),
            link="https://docs.example/migrate",
        )
    dep = api.fake.vendor(case.name)._deprecations[0]

    with pytest.warns(DeprecatedEndpointWarning):
        before = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)
    assert before.status_code == 200
    assert before.headers["Deprecation"] == f"@{int(dep.deprecated_at.timestamp())}"
    assert before.headers["Sunset"].endswith(" GMT")

    assert dep.sunset_at is not None
    api.fake.clock.set(dep.sunset_at + dt.timedelta(seconds=1))
    with pytest.warns(DeprecatedEndpointWarning):
        after = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)
    assert after.status_code == 410
    assert case.envelope(410, after.json()), after.json()
    assert after.headers["Sunset"] == before.headers["Sunset"]


def test_workiva_is_deprecated_exactly_as_documented(fake_runs: FakeRuns) -> None:
    run = seed_run(fake_runs, BY_NAME["workiva"])
    url = fake_runs.workiva.base_url + f"/prototype/platform/scripts/{run.parent}/runs"
    with pytest.warns(DeprecatedEndpointWarning):
        answer = requests.get(url, headers={"Authorization": "Bearer t"})
    assert answer.headers["Deprecation"] == "@1770854400"
    assert answer.headers["Sunset"] == "Sun, 31 Jan 2027 00:00:00 GMT"
    assert "Link" not in answer.headers
    fake_runs.clock.set(dt.datetime(2027, 1, 31, tzinfo=dt.timezone.utc))
    with pytest.warns(DeprecatedEndpointWarning):
        gone = requests.get(url)  # 410 comes before auth
    assert gone.status_code == 410
    assert gone.json()["code"] == "410Gone"


def test_deprecate_without_sunset_never_410s(fake_runs: FakeRuns) -> None:
    fake_runs.coalesce.deprecate("2026-01-01", path="/api/v1/runs/{runID}")
    run = fake_runs.coalesce.add_run()
    fake_runs.clock.advance(dt.timedelta(days=3650))
    url = fake_runs.coalesce.base_url
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecatedEndpointWarning)
        assert requests.get(url + "/api/v1/runs", headers=CASES[0].headers).ok
    with pytest.warns(DeprecatedEndpointWarning):
        one = requests.get(url + f"/api/v1/runs/{run.id}", headers=CASES[0].headers)
    assert one.status_code == 200
    assert "Sunset" not in one.headers and one.headers["Deprecation"].startswith("@")


# -- polling under controlled time ----------------------------------------------------------

QUICK = {"waitingToRun": 2, "running": 4}


def poll_words(api: Api, case: VendorCase, run: object, tick: object, reads: int = 12) -> list[str]:
    seen: list[str] = []
    for _ in range(reads):
        answer = api.get(
            case.name,
            case.run_path(run),  # type: ignore[arg-type]
            headers=case.headers,
            params=case.params,
        )
        word = case.status_in(answer.json(), run)  # type: ignore[arg-type]
        if not seen or seen[-1] != word:
            seen.append(word)
        tick()  # type: ignore[operator]
    return [w for w in seen if w in case.path_words]


@vendors
@pytest.mark.fake_runs(instant_sleep=True)
def test_polling_under_instant_sleep(api: Api, case: VendorCase) -> None:
    import time

    run = seed_run(api.fake, case, durations=QUICK)
    wall = time.monotonic()
    assert poll_words(api, case, run, lambda: time.sleep(1)) == list(case.path_words)
    assert time.monotonic() - wall < 30


@vendors
def test_polling_under_freezegun_tick(api: Api, case: VendorCase) -> None:
    pin(api.fake, case)
    with freezegun.freeze_time(api.fake.clock.now()) as frozen:
        run = api.fake.vendor(case.name).add_run(durations=QUICK)
        words = poll_words(api, case, run, lambda: frozen.tick(1))
    assert words == list(case.path_words)


@vendors
def test_polling_under_time_machine(api: Api, case: VendorCase) -> None:
    pin(api.fake, case)
    with time_machine.travel(api.fake.clock.now(), tick=False) as traveller:
        run = api.fake.vendor(case.name).add_run(durations=QUICK)
        words = poll_words(api, case, run, lambda: traveller.shift(1))
    assert words == list(case.path_words)


@vendors
def test_polling_under_clock_freeze(api: Api, case: VendorCase) -> None:
    clock = api.fake.clock
    pin(api.fake, case)
    with clock.freeze():
        run = api.fake.vendor(case.name).add_run(durations=QUICK)
        assert dt.datetime.now(dt.timezone.utc) == clock.now()
        words = poll_words(api, case, run, lambda: clock.advance(1))
        assert dt.datetime.now(dt.timezone.utc) == clock.now()
    assert words == list(case.path_words)


@vendors
@pytest.mark.fake_runs(progression="poll")
def test_polling_under_poll_progression(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    api.fake.clock.advance(dt.timedelta(days=1))  # the clock never moves a run in poll mode
    assert run.state == "waitingToRun"
    assert poll_words(api, case, run, lambda: None) == list(case.path_words)


def _creating_requests(fake: FakeRuns) -> list[tuple[str, str, dict[str, object], object]]:
    """(vendor, path, request kwargs, what must not change) for each vendor's write route."""
    fake.coalesce.add_parent("7")
    fake.kinetic.add_run(source="Playground", source_group="Docs", tree="Hello", state="Complete")
    fake.enterprise_tester.add_run(
        assignment_id="2264a622-2869-4ef8-8183-a0040106ca9d", state="Passed"
    )
    arcgis_run = fake.arcgis.add_run(state="scheduled")
    basic = {"Authorization": BY_NAME["kinetic"].headers["Authorization"]}
    return [
        (
            "coalesce",
            "/scheduler/startRun",
            {
                "headers": BY_NAME["coalesce"].headers,
                "json": {
                    "runDetails": {"environmentID": "7"},
                    "userCredentials": {"snowflakeUsername": "u", "snowflakePassword": "p"},
                },
            },
            lambda: len(fake.coalesce.runs()),
        ),
        (
            "kinetic",
            "/app/api/v1/run-tree/Playground/Docs/Hello",
            {"headers": basic},
            lambda: len(fake.kinetic.runs()),
        ),
        (
            "enterprise_tester",
            "/api/scriptassignment/2264a622-2869-4ef8-8183-a0040106ca9d/runs",
            {"headers": basic},
            lambda: len(fake.enterprise_tester.runs()),
        ),
        (
            "arcgis",
            f"/system/tasks/{arcgis_run.parent}/runs/{arcgis_run.id}/update",
            {"data": {"status": "executing", "f": "json", "token": "t"}},
            lambda: arcgis_run.status,
        ),
    ]


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize("status", [409, 500, 503])
def test_a_faulted_write_changes_nothing(fake_runs: FakeRuns, status: int) -> None:
    for vendor, path, kwargs, observe in _creating_requests(fake_runs):
        before = observe()  # type: ignore[operator]
        url = fake_runs.vendor(vendor).base_url + path
        with fake_runs.inject(status=status, vendor=vendor, method="POST") as fault:
            requests.post(url, timeout=5, **kwargs)  # type: ignore[arg-type]
        assert fault.hits == 1
        assert observe() == before, vendor  # type: ignore[operator]
        answer = requests.post(url, timeout=5, **kwargs)  # type: ignore[arg-type]
        assert answer.status_code in (200, 201), (vendor, answer.text)
        assert observe() != before, vendor  # type: ignore[operator]


@vendors
@pytest.mark.fake_runs(progression="poll")
def test_a_cut_answer_moves_nothing_in_poll_mode(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    api.fake.inject(error="malformed", vendor=case.name, times=2)
    for _ in range(2):
        api.get(case.name, case.run_path(run), headers=case.headers, params=case.params)
    assert run.state == "waitingToRun"
    api.get(case.name, case.run_path(run), headers=case.headers, params=case.params)
    assert run.state == "running"  # the first whole answer is a read that moves it
