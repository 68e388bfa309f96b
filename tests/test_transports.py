"""What every transport does alike: HEAD, URLs outside the vendors, passthru, the journal."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import responses

from pytest_fakeruns import FakeRuns

from ._clients import Api
from ._vendors import CASES, VendorCase, seed_run

pytest_plugins = ["pytester"]

OUTSIDE = "https://not-a-vendor.example/status"


# -- HEAD ----------------------------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize("case", CASES, ids=str)
def test_head_answers_the_get_headers_without_a_body(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    kwargs: dict[str, Any] = {"headers": case.headers, "params": case.params}
    got = api.get(case.name, case.list_path(run), **kwargs)
    head = api.request("HEAD", case.name, case.list_path(run), **kwargs)
    assert head.status_code == got.status_code
    assert head.content == b""
    assert got.content
    for name in ("Content-Type", "Deprecation", "Sunset"):
        assert head.headers.get(name) == got.headers.get(name)
    assert head.headers["Content-Length"] == str(len(got.content))
    call = api.fake.calls[-1]
    assert (call.method, call.status, call.response.body) == ("HEAD", got.status_code, b"")


@pytest.mark.parametrize("case", CASES[:1], ids=str)
def test_head_of_an_error_is_the_error_status_without_a_body(api: Api, case: VendorCase) -> None:
    run = seed_run(api.fake, case)
    head = api.request("HEAD", case.name, case.run_path(run))  # no credentials
    assert head.status_code == case.http_status(401)
    assert head.content == b""


# -- URLs outside the vendors --------------------------------------------------------------


def _fetch(transport: str, url: str) -> object:
    if transport == "requests":
        return requests.get(url, timeout=5)
    if transport == "httpx":
        return httpx.get(url, timeout=5)

    async def fetch() -> object:
        async with httpx.AsyncClient(timeout=5) as client:
            return await client.get(url)

    return asyncio.run(fetch())


IN_PROCESS = ("requests", "httpx", "httpx-async")
CONNECT_ERRORS = {
    "requests": requests.ConnectionError,
    "httpx": httpx.ConnectError,
    "httpx-async": httpx.ConnectError,
}


@pytest.mark.parametrize("transport", IN_PROCESS)
def test_a_url_outside_the_vendors_is_refused_naming_the_plugin_and_the_knob(
    fake_runs: FakeRuns, transport: str
) -> None:
    with pytest.raises(CONNECT_ERRORS[transport]) as caught:
        _fetch(transport, OUTSIDE)
    message = str(caught.value)
    assert "pytest-fakeruns" in message
    assert OUTSIDE in message
    assert "passthru" in message and "fakeruns_passthru" in message
    assert fake_runs.calls == []  # not a vendor's call
    assert fake_runs.unmatched == []  # nor a strict-mode miss


def test_the_tests_own_responses_mocks_still_win(fake_runs: FakeRuns) -> None:
    fake_runs.responses.add(responses.GET, OUTSIDE, json={"mocked": True})
    assert requests.get(OUTSIDE, timeout=5).json() == {"mocked": True}


class _Local:
    """A real HTTP server on loopback, outside the vendors."""

    def __init__(self) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = b"real"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def local() -> Iterator[_Local]:
    server = _Local()
    yield server
    server.close()


@pytest.mark.parametrize("transport", IN_PROCESS)
def test_a_passthru_prefix_reaches_the_real_transport(local: _Local, transport: str) -> None:
    with FakeRuns(seed=1, passthru=[local.url + "/"]) as fake:
        answer = _fetch(transport, local.url + "/ok")
        assert getattr(answer, "status_code", None) == 200
        assert getattr(answer, "content", None) == b"real"
        with pytest.raises(CONNECT_ERRORS[transport]):  # another port: still refused
            _fetch(transport, "http://127.0.0.1:9/")
        assert fake.calls == []


def test_responses_add_passthru_lets_requests_through(fake_runs: FakeRuns, local: _Local) -> None:
    fake_runs.responses.add_passthru(local.url)
    assert requests.get(local.url + "/ok", timeout=5).text == "real"
    with pytest.raises(httpx.ConnectError):  # add_passthru is for requests only
        httpx.get(local.url + "/ok", timeout=5)


def test_passthru_from_the_marker_and_the_ini(pytester: pytest.Pytester, local: _Local) -> None:
    pytester.makeini(f"[pytest]\nfakeruns_passthru =\n    {local.url}/ini\n")
    pytester.makepyfile(
        f"""
        import httpx, pytest, requests

        URL = {local.url!r}

        @pytest.mark.fake_runs(passthru=[URL + "/marker"])
        def test_both(fake_runs):
            assert requests.get(URL + "/marker").text == "real"
            assert httpx.get(URL + "/ini").text == "real"

        def test_ini_only(fake_runs):
            assert requests.get(URL + "/ini/x").text == "real"
            with pytest.raises(requests.ConnectionError, match="pytest-fakeruns refused"):
                requests.get(URL + "/marker")
        """
    )
    pytester.runpytest_inprocess().assert_outcomes(passed=2)


def test_a_passthru_that_is_not_a_url_list_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fake_runs(passthru="https://api.example.com/")
        def test_it(fake_runs):
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*passthru is a list of URL prefixes*"])


@pytest.mark.parametrize("transport", IN_PROCESS)
def test_every_adapter_resolves_a_request_once(
    fake_runs: FakeRuns, transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = fake_runs.resolve

    def counting(url: str, method: str = "GET") -> object:
        asked.append(url)
        return real(url, method)

    monkeypatch.setattr(fake_runs, "resolve", counting)
    url = fake_runs.coalesce.base_url + "/api/v1/runs"
    answer = _fetch(transport, url)
    assert getattr(answer, "status_code", None) == 401  # no credentials: the vendor answered
    assert asked == [url]
    with pytest.raises(CONNECT_ERRORS[transport]):
        _fetch(transport, OUTSIDE)
    assert asked == [url, OUTSIDE]


COALESCE_RUNS = "https://app.coalescesoftware.io/api/v1/runs"
BEARER = {"Authorization": "Bearer t"}


def test_requests_reach_the_network_again_once_the_fake_stops(local: _Local) -> None:
    with FakeRuns(seed=1) as fake:
        assert requests.get(COALESCE_RUNS, headers=BEARER).status_code == 200
        with pytest.raises(requests.ConnectionError, match="pytest-fakeruns refused"):
            requests.get(local.url + "/ok")
    assert requests.get(local.url + "/ok").content == b"real"
    assert [c.path for c in fake.calls] == ["/api/v1/runs"]


def test_a_mock_of_the_test_started_inside_the_fake_stacks_on_top_of_it() -> None:
    with FakeRuns(seed=1) as fake:
        with responses.RequestsMock() as own:
            own.get(COALESCE_RUNS, json={"own": True})
            assert requests.get(COALESCE_RUNS, headers=BEARER).json() == {"own": True}
        # the test's mock stopped: the fake answers again
        assert requests.get(COALESCE_RUNS, headers=BEARER).json()["data"] == []
    assert [c.path for c in fake.calls] == ["/api/v1/runs"]


def test_a_fake_inside_another_answers_until_it_stops() -> None:
    with FakeRuns(seed=1) as outer:
        with FakeRuns(seed=2) as inner:
            requests.get(COALESCE_RUNS, headers=BEARER)
        requests.get(COALESCE_RUNS, headers=BEARER)
    assert (len(inner.calls), len(outer.calls)) == (1, 1)


def test_a_fake_inside_a_mock_of_the_test_restores_it() -> None:
    with responses.RequestsMock() as own:
        own.get("https://example.org/ping", json={"pong": 1})
        with FakeRuns(seed=1) as fake:
            assert requests.get(COALESCE_RUNS, headers=BEARER).status_code == 200
        assert requests.get("https://example.org/ping").json() == {"pong": 1}
    assert len(fake.calls) == 1


def test_interleaved_mocks_and_fakes_leave_requests_to_the_network(local: _Local) -> None:
    """A test's mock that outlives one fake and spans another: once all have stopped,
    requests go to the real transport (no stopped mock keeps answering)."""
    first = FakeRuns(seed=1).start()
    own = responses.RequestsMock(assert_all_requests_are_fired=False)
    own.start()
    first.stop()
    with FakeRuns(seed=2):
        assert requests.get(COALESCE_RUNS, headers=BEARER).status_code == 200
    own.stop()
    assert requests.get(local.url + "/ok").content == b"real"
    # and the same after the fakes alone
    with FakeRuns(seed=3):
        pass
    assert requests.get(local.url + "/ok").content == b"real"
