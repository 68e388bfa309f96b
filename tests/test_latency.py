"""Issue 16: latency, slow bodies, sequences and seeded chaos, through real clients.

Behaviour tests use the ``api`` fixture, so each runs over requests, httpx sync, httpx async
(in-process: the fake clock moves, no wall time) and the server (the delay is real, small).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import httpx
import pytest
import requests

from pytest_fakeruns import FakeRuns, FakeRunsError
from pytest_fakeruns._faults import SERVED_DELAY_CAP, SLOW_BODY_PIECES
from pytest_fakeruns._server import MAX_DELAY_SECONDS
from pytest_fakeruns._server import SLOW_BODY_PIECES as SERVER_PIECES
from tests._clients import Api
from tests._vendors import BY_NAME, CASES, VendorCase, seed_run

COALESCE = BY_NAME["coalesce"]
AUTH = COALESCE.headers
RUNS = "/api/v1/runs"
vendors = pytest.mark.parametrize("case", CASES, ids=str)


def read_timeout_error(api: Api) -> type[BaseException]:
    return requests.ReadTimeout if api.transport in ("requests", "server") else httpx.ReadTimeout


def body_timeout_error(api: Api) -> type[BaseException]:
    # requests reports a read timeout while reading a body as a ConnectionError (urllib3's
    # ReadTimeoutError wrapped); httpx as ReadTimeout; in-process the same as over the socket
    if api.transport in ("requests", "server"):
        return requests.ConnectionError
    return httpx.ReadTimeout


def test_the_fault_module_agrees_with_the_server() -> None:
    assert SERVED_DELAY_CAP == MAX_DELAY_SECONDS
    assert SLOW_BODY_PIECES == SERVER_PIECES


# -- 1. latency ------------------------------------------------------------------------------


@vendors
def test_a_delay_alone_is_the_usual_answer_later(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    usual = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)
    fault = api.fake.inject(delay=0.3, vendor=case.name, times=1)
    before, wall = api.fake.clock.now(), time.perf_counter()

    slow = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)

    assert slow.status_code == usual.status_code
    assert slow.json() == usual.json()
    assert fault.hits == 1
    call = api.fake.calls[-1]
    assert call.fault is fault and call.delay == 0.3
    assert api.fake.clock.delayed == pytest.approx(0.3)
    assert api.fake.clock.now() - before >= dt.timedelta(seconds=0.3)
    if api.transport == "server":
        assert time.perf_counter() - wall >= 0.29  # real time over HTTP
    else:
        assert time.perf_counter() - wall < 0.3  # no wall time in-process


@vendors
def test_a_slow_status_keeps_its_envelope(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    api.fake.inject(status=503, delay=0.2, vendor=case.name, retry_after=2)

    slow = api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)

    assert slow.status_code == case.http_status(503)
    assert case.envelope(503, slow.json())
    assert slow.headers["Retry-After"] == "2"
    assert api.fake.calls[-1].delay == 0.2 and api.fake.calls[-1].status == slow.status_code


def test_a_client_timeout_shorter_than_the_delay_is_its_read_timeout(api: Api) -> None:
    api.fake.inject(delay=1.5, vendor="coalesce")
    before = api.fake.clock.now()

    with pytest.raises(read_timeout_error(api)):
        api.get("coalesce", RUNS, headers=AUTH, timeout=0.25)

    moved = api.fake.clock.now() - before
    assert moved >= dt.timedelta(seconds=0.25)
    if api.transport != "server":  # in-process: exactly the client's timeout, at once
        assert moved < dt.timedelta(seconds=0.5)
        call = api.fake.calls[-1]
        assert call.status == 0 and call.delay == 0.25
        assert api.fake.clock.delayed == 0.25


@pytest.mark.parametrize("timeout", [0.5, (3.05, 0.5)], ids=["float", "connect-read"])
def test_requests_timeout_as_the_adapter_receives_it(fake_runs: FakeRuns, timeout: object) -> None:
    fake_runs.inject(delay=2.0, vendor="coalesce")
    url = fake_runs.coalesce.base_url + RUNS
    with pytest.raises(requests.ReadTimeout, match=r"after 0.5 s"):
        requests.get(url, headers=AUTH, timeout=timeout)  # type: ignore[arg-type]
    assert requests.get(url, headers=AUTH, timeout=(0.1, 5)).status_code == 200
    assert requests.get(url, headers=AUTH).status_code == 200  # no timeout: it waits
    assert [c.delay for c in fake_runs.calls] == [0.5, 2.0, 2.0]
    assert fake_runs.clock.delayed == 4.5


def test_httpx_read_timeout_from_the_request_extensions(fake_runs: FakeRuns) -> None:
    fake_runs.inject(delay=2.0, vendor="coalesce")
    url = fake_runs.coalesce.base_url + RUNS
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(url, headers=AUTH, timeout=httpx.Timeout(10.0, read=1.0))
    assert httpx.get(url, headers=AUTH, timeout=httpx.Timeout(1.0, read=3.0)).status_code == 200
    assert httpx.get(url, headers=AUTH, timeout=None).status_code == 200

    async def go() -> None:
        async with httpx.AsyncClient(timeout=0.5) as client:
            await client.get(url, headers=AUTH)

    with pytest.raises(httpx.ReadTimeout):
        asyncio.run(go())
    assert [c.delay for c in fake_runs.calls] == [1.0, 2.0, 2.0, 0.5]


@pytest.mark.fake_runs(progression="manual")
def test_a_timed_out_write_changes_nothing(fake_runs: FakeRuns) -> None:
    fake_runs.coalesce.add_parent("7")
    url = fake_runs.coalesce.base_url + "/scheduler/startRun"
    body = {
        "runDetails": {"environmentID": "7"},
        "userCredentials": {"snowflakeUsername": "u", "snowflakePassword": "p"},
    }
    fake_runs.inject(delay=30.0, vendor="coalesce", method="POST", times=1)
    with pytest.raises(requests.ReadTimeout):
        requests.post(url, headers=AUTH, json=body, timeout=5)
    assert fake_runs.coalesce.runs() == []  # the client gave up before the answer was built
    assert requests.post(url, headers=AUTH, json=body, timeout=5).status_code == 200
    assert len(fake_runs.coalesce.runs()) == 1


def test_the_clock_moves_before_the_answer_so_time_mode_runs_progress(
    fake_runs: FakeRuns,
) -> None:
    run = fake_runs.coalesce.add_run()
    url = fake_runs.coalesce.base_url + COALESCE.run_path(run)
    assert requests.get(url, headers=AUTH).json()["runStatus"] == "waitingToRun"
    fake_runs.inject(delay=7 * 86400.0, vendor="coalesce", times=1)  # a very slow answer

    answer = requests.get(url, headers=AUTH).json()

    assert answer["runStatus"] == run.status
    assert run.state_.terminal  # a week passed on the fake clock before the answer was built


def test_a_delay_moves_a_frozen_process_clock(fake_runs: FakeRuns) -> None:
    fake_runs.inject(delay=90.0, vendor="coalesce")
    url = fake_runs.coalesce.base_url + RUNS
    with fake_runs.clock.freeze():
        start = time.time()
        requests.get(url, headers=AUTH)
        assert time.time() - start == pytest.approx(90.0)
        with pytest.raises(requests.ReadTimeout):
            requests.get(url, headers=AUTH, timeout=5)
        assert time.time() - start == pytest.approx(95.0)
    assert fake_runs.clock.delayed == 95.0


def test_a_delay_range_draws_from_the_seed() -> None:
    def delays(seed: int) -> list[float]:
        with FakeRuns(seed=seed) as fake:
            fake.inject(delay=(0.5, 3.0), vendor="coalesce")
            for _ in range(12):
                requests.get(fake.coalesce.base_url + RUNS, headers=AUTH)
            return [c.delay for c in fake.calls]

    first = delays(3)
    assert first == delays(3)
    assert first != delays(4)
    assert all(0.5 <= d <= 3.0 for d in first) and len(set(first)) == 12


def test_reset_zeroes_clock_delayed(fake_runs: FakeRuns) -> None:
    fake_runs.inject(delay=5.0)
    requests.get(fake_runs.coalesce.base_url + RUNS, headers=AUTH)
    assert fake_runs.clock.delayed == 5.0
    fake_runs.reset()
    assert fake_runs.clock.delayed == 0.0 and fake_runs.faults == []


# -- 2. slow bodies --------------------------------------------------------------------------


def test_a_slow_body_is_the_usual_answer_after_the_delay(api: Api) -> None:
    api.fake.coalesce.add_runs(3)
    usual = api.get("coalesce", RUNS, headers=AUTH)
    api.fake.inject(error="slow_body", delay=0.4, vendor="coalesce")
    before = api.fake.clock.now()

    slow = api.get("coalesce", RUNS, headers=AUTH)

    assert slow.status_code == 200 and slow.content == usual.content
    assert api.fake.clock.now() - before >= dt.timedelta(seconds=0.4)
    assert api.fake.calls[-1].delay == 0.4 and api.fake.calls[-1].status == 200


def test_a_read_timeout_shorter_than_a_pause_stops_the_slow_body(api: Api) -> None:
    api.fake.coalesce.add_runs(3)
    # the body comes in SLOW_BODY_PIECES pieces 0.6 s apart: a 0.2 s read timeout fires
    api.fake.inject(error="slow_body", delay=SLOW_BODY_PIECES * 0.6, vendor="coalesce")

    with pytest.raises(body_timeout_error(api)):
        api.get("coalesce", RUNS, headers=AUTH, timeout=0.2)
    if api.transport != "server":
        assert api.fake.calls[-1].delay == 0.2 and api.fake.clock.delayed == 0.2
    # a read timeout longer than one pause is not tripped: the whole body comes
    api.fake.reset()
    api.fake.coalesce.add_runs(3)
    api.fake.inject(error="slow_body", delay=SLOW_BODY_PIECES * 0.05, vendor="coalesce")
    assert api.get("coalesce", RUNS, headers=AUTH, timeout=0.3).status_code == 200


def test_slow_body_misuse(fake_runs: FakeRuns) -> None:
    with pytest.raises(FakeRunsError, match="needs delay=<seconds>"):
        fake_runs.inject(error="slow_body")


# -- 3. every fault kind, one behaviour across transports -------------------------------------

KINDS = ["connection", "timeout", "malformed", "delay", "slow_body"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_fault_kind_is_seen_alike_by_every_client(api: Api, kind: str) -> None:
    api.fake.coalesce.add_runs(2)
    usual = api.get("coalesce", RUNS, headers=AUTH)
    httpx_connection = httpx.ConnectError
    expected: dict[str, type[BaseException] | None] = {
        "connection": (
            requests.ConnectionError
            if api.transport in ("requests", "server")
            else httpx_connection
        ),
        "timeout": read_timeout_error(api),
        "malformed": None,
        "delay": None,
        "slow_body": None,
    }
    by_kind: dict[str, dict[str, Any]] = {
        "connection": {"error": "connection"},
        "timeout": {"error": "timeout"},
        "malformed": {"error": "malformed"},
        "delay": {"delay": 0.2},
        "slow_body": {"error": "slow_body", "delay": 0.2},
    }
    kwargs = by_kind[kind]
    fault = api.fake.inject(**kwargs, vendor="coalesce", times=1)

    error = expected[kind]
    if error is not None:
        with pytest.raises(error):
            api.get("coalesce", RUNS, headers=AUTH)
    else:
        answer = api.get("coalesce", RUNS, headers=AUTH)
        assert answer.status_code == 200
        if kind == "malformed":
            assert usual.content.startswith(answer.content)
            assert 1 <= len(answer.content) < len(usual.content)
        else:
            assert answer.content == usual.content
    assert fault.hits == 1 and api.fake.calls[-1].fault is fault
    assert api.get("coalesce", RUNS, headers=AUTH).content == usual.content  # spent


# -- 4. sequences ----------------------------------------------------------------------------


@vendors
def test_a_sequence_answers_call_by_call_then_is_spent(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    fault = api.fake.inject(
        sequence=[429, 429, None, {"status": 503, "retry_after": 7}, {"delay": 0.1}],
        vendor=case.name,
    )
    answers = [
        api.get(case.name, case.list_path(run), headers=case.headers, params=case.params)
        for _ in range(6)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses == [case.http_status(s) for s in (429, 429, 200, 503, 200, 200)]
    assert case.envelope(429, answers[0].json()) and not case.envelope(429, answers[2].json())
    assert answers[3].headers["Retry-After"] == "7"
    assert fault.hits == 5 and not fault.active  # None items count: they answered
    assert [c.fault is fault for c in api.fake.calls] == [True] * 5 + [False]
    assert [c.delay for c in api.fake.calls] == [0.0, 0.0, 0.0, 0.0, 0.1, 0.0]


def test_a_sequence_of_transport_errors_and_after(fake_runs: FakeRuns) -> None:
    url = fake_runs.coalesce.base_url + RUNS
    fault = fake_runs.inject(
        sequence=["connection", {"error": "timeout"}],
        vendor="coalesce",
        method="GET",
        path=RUNS,
        after=1,
    )
    assert requests.get(url, headers=AUTH, timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(url, headers=AUTH, timeout=5)
    with pytest.raises(requests.ReadTimeout):
        requests.get(url, headers=AUTH, timeout=5)
    assert requests.get(url, headers=AUTH, timeout=5).status_code == 200
    assert fault.hits == 2
    assert "sequence=" in repr(fault)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sequence": []}, "give at least one answer"),
        ({"sequence": "429"}, "sequence is a list of answers"),
        ({"sequence": [418]}, r"inject\(sequence\[0\]: status=418\): status must be one of 400"),
        ({"sequence": [None, "dns"]}, "error must be one of connection, timeout, malformed"),
        ({"sequence": [{"status": 500, "times": 2}]}, "unknown key.*times.*status, error, delay"),
        ({"sequence": [{"retry_after": 3}]}, "exactly one of status"),
        ({"sequence": [{"delay": -1}]}, r"delay is seconds >= 0"),
        ({"sequence": [1.5]}, "is not an answer"),
        ({"sequence": [429], "status": 500}, r"sequence=\.\.\., status=.*put status, error"),
        ({"sequence": [429], "times": 2}, r"times=\.\.\."),
        ({"delay": -0.5}, r"inject\(delay=-0.5\): delay is seconds >= 0"),
        ({"delay": (3, 1)}, "0 <= low <= high"),
        ({"delay": float("nan")}, "delay is seconds"),
        ({"delay": True}, "delay is seconds"),
        ({"error": "timeout", "delay": 1}, "a timeout never answers"),
        ({"status": 500, "error": "timeout"}, "not both"),
    ],
)
def test_sequence_and_delay_misuse_names_what_is_allowed(
    fake_runs: FakeRuns, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(FakeRunsError, match=message):
        fake_runs.inject(**kwargs)
    assert fake_runs.faults == []


# -- 5. chaos --------------------------------------------------------------------------------


def test_chaos_replays_from_the_seed_on_every_transport(api: Api) -> None:
    api.fake.coalesce.add_runs(1)

    def pattern() -> list[object]:
        api.fake.reset()
        chaos = api.fake.chaos(rate=0.5, statuses=(429, 503), errors=("connection",))
        seen: list[object] = []
        for _ in range(16):
            try:
                seen.append(api.get("coalesce", RUNS, headers=AUTH).status_code)
            except (requests.ConnectionError, httpx.ConnectError):
                seen.append("connection")
        assert chaos.hits == sum(1 for s in seen if s != 200)
        return seen

    first = pattern()
    assert first == pattern()
    assert {200, 429, 503, "connection"} <= set(first)
    assert all(c.fault is None or c.fault.chaos for c in api.fake.calls)


def test_chaos_is_a_fault_scoped_by_vendor_and_explicit_faults_win(fake_runs: FakeRuns) -> None:
    arcgis = BY_NAME["arcgis"]
    other = seed_run(fake_runs, arcgis)
    with fake_runs.chaos(rate=1.0, statuses=(500,), errors=(), vendor="coalesce") as chaos:
        explicit = fake_runs.inject(status=404, vendor="coalesce", times=1)
        url = fake_runs.coalesce.base_url + RUNS
        assert requests.get(url, headers=AUTH).status_code == 404
        assert requests.get(url, headers=AUTH).status_code == 500
        requests.get(
            fake_runs.arcgis.base_url + arcgis.list_path(other),
            headers=arcgis.headers,
            params=arcgis.params,
        )
        assert fake_runs.calls[-1].fault is None
        assert explicit.hits == 1 and chaos.hits == 1
        assert fake_runs.faults[-1] is chaos
        assert "chaos rate=1" in repr(chaos)
    assert chaos not in fake_runs.faults
    assert requests.get(url, headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 0}, r"rate is a number in \(0, 1\]"),
        ({"rate": 2}, "rate is a number"),
        ({"statuses": (418,)}, "each is one of 400"),
        ({"errors": ("slow_body",)}, "each is one of connection, timeout, malformed"),
        ({"statuses": (), "errors": ()}, "at least one of statuses= or errors="),
        ({"vendor": "github"}, "vendor must be one of"),
        ({"statuses": 500}, "statuses is a list of ints"),
    ],
)
def test_chaos_misuse(fake_runs: FakeRuns, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(FakeRunsError, match=message):
        fake_runs.chaos(**kwargs)


def test_no_fault_active_is_one_check(fake_runs: FakeRuns) -> None:
    book = fake_runs._faults
    assert len(book) == 0
    assert book.pick("coalesce", "GET", RUNS, RUNS) is None
    assert not book.chaos_used


# -- 7. the journal --------------------------------------------------------------------------


def test_the_journal_shows_fault_and_delay_per_call(fake_runs: FakeRuns) -> None:
    url = fake_runs.coalesce.base_url + RUNS
    slow = fake_runs.inject(delay=2.0, vendor="coalesce", times=1)
    requests.get(url, headers=AUTH)
    requests.get(url, headers=AUTH)
    assert [(c.fault, c.delay) for c in fake_runs.calls] == [(slow, 2.0), (None, 0.0)]
    assert fake_runs.clock.delayed == 2.0


def test_served_delays_are_capped_in_the_journal(fake_runs_server: FakeRuns) -> None:
    # the served cap, checked without waiting: the server is not asked to play the answer
    fake_runs_server.inject(delay=10_000.0, vendor="coalesce", times=1)
    from pytest_fakeruns._http import Request

    request = Request("GET", fake_runs_server.coalesce.base_url + RUNS, AUTH, served=True)
    fake_runs_server.handle(request)
    assert fake_runs_server.calls[-1].delay == SERVED_DELAY_CAP
    assert fake_runs_server.clock.delayed == SERVED_DELAY_CAP
