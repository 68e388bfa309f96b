"""fake_runs_server: the same fake over a real socket, its roots, faults, stop and errors."""

from __future__ import annotations

import datetime
import json
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from pytest_fakeruns import FakeRuns, FakeRunsError
from pytest_fakeruns._http import Request
from pytest_fakeruns._registry import BUILTIN
from pytest_fakeruns._server import FakeRunsServer, serving
from pytest_fakeruns.vendors.coalesce import Coalesce

AUTH = {"Authorization": "Bearer t0k3n"}
VENDORS = tuple(BUILTIN)
BOUND = 10.0  # seconds any single blocking step in these tests may take before it fails


def runs_url(fake: FakeRuns) -> str:
    return f"{fake.coalesce.base_url}/api/v1/runs"


def raw_request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> bytes:
    parts = urlsplit(url)
    lines = [f"{method} {parts.path}?{parts.query} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    sock = socket.create_connection((parts.hostname, parts.port), timeout=BOUND)
    return sock


@pytest.fixture
def standalone() -> Iterator[FakeRuns]:
    """A fake that is not a test's fake_runs: served by hand, so tests control stop()."""
    yield FakeRuns(seed=3, progression="manual")


# -- what the fixture gives ------------------------------------------------------------------


def test_url_is_loopback_and_every_root_is_below_it(fake_runs_server: FakeRuns) -> None:
    parts = urlsplit(fake_runs_server.url)
    assert parts.scheme == "http"
    assert parts.hostname == "127.0.0.1"
    assert parts.port is not None and parts.port > 0
    assert parts.path == ""
    assert set(VENDORS) <= set(fake_runs_server.vendors)
    for name, vendor in fake_runs_server.vendors.items():
        assert vendor.base_url == f"{fake_runs_server.url}/{name}"


def test_same_object_as_fake_runs(fake_runs: FakeRuns, fake_runs_server: FakeRuns) -> None:
    assert fake_runs_server is fake_runs


def test_url_outside_the_server_names_the_fixture(fake_runs: FakeRuns) -> None:
    with pytest.raises(FakeRunsError, match="fake_runs_server"):
        fake_runs.url  # noqa: B018


def test_requests_go_through_the_socket(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.coalesce.add_runs(3)
    r = requests.get(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND)
    assert r.status_code == 200
    assert len(r.json()["data"]) == 3
    # http.client writes Host on the wire; responses/httpx in-process never see one
    call = fake_runs_server.calls[-1]
    assert call.headers["Host"] == urlsplit(fake_runs_server.url).netloc
    assert call.url == runs_url(fake_runs_server)
    assert call.path == "/api/v1/runs"


def test_in_process_requests_carry_no_host_header(fake_runs: FakeRuns) -> None:
    """The contrast that makes the socket test above meaningful."""
    requests.get(runs_url(fake_runs), headers=AUTH, timeout=BOUND)
    assert "Host" not in fake_runs.calls[-1].headers


def test_links_the_fake_writes_point_at_the_server(fake_runs_server: FakeRuns) -> None:
    run = fake_runs_server.coalesce.add_run()
    r = requests.get(
        f"{fake_runs_server.coalesce.base_url}/scheduler/runStatus",
        params={"runCounter": run.id},
        headers=AUTH,
        timeout=BOUND,
    )
    assert r.json()["runLink"] == f"{fake_runs_server.url}/coalesce/runs/{run.id}"


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/runs?limit=4", AUTH),
        ("/api/v1/runs?limit=4&detail=true", AUTH),
        ("/api/v1/runs", {}),  # 401 in the vendor's envelope
        ("/api/v1/runs?limit=0", AUTH),  # 400
        ("/api/v1/runs/1", AUTH),
        ("/api/v1/runs/999", AUTH),  # 404 of a matched route
    ],
)
def test_same_status_body_and_headers_as_the_core(
    fake_runs_server: FakeRuns, path: str, headers: dict[str, str]
) -> None:
    fake = fake_runs_server
    fake.coalesce.add_runs(6)
    fake.coalesce.deprecate("2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "https://x.example/d")
    url = fake.coalesce.base_url + path
    over_socket = requests.get(url, headers=headers, timeout=BOUND)
    core = fake.handle(Request("GET", url, headers))
    assert core is not None
    assert over_socket.status_code == core.status
    assert over_socket.content == core.body
    for name, value in core.headers.items():
        assert over_socket.headers[name] == value
    extra = {n.lower() for n in over_socket.headers} - {n.lower() for n in core.headers}
    assert extra == {"content-length"}
    assert over_socket.headers["Content-Length"] == str(len(core.body))


def test_deprecation_headers_warning_and_410_over_the_server(fake_runs_server: FakeRuns) -> None:
    from pytest_fakeruns import DeprecatedEndpointWarning

    fake = fake_runs_server
    fake.coalesce.deprecate("2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "https://x.example/d")
    with pytest.warns(DeprecatedEndpointWarning):
        r = requests.get(runs_url(fake), headers=AUTH, timeout=BOUND)
    assert r.status_code == 200
    assert r.headers["Deprecation"].startswith("@")
    assert r.headers["Sunset"].endswith("GMT")
    assert r.headers["Link"] == '<https://x.example/d>; rel="deprecation"'
    fake.clock.set(datetime.datetime(3000, 1, 1))
    with pytest.warns(DeprecatedEndpointWarning):
        gone = requests.get(runs_url(fake), headers=AUTH, timeout=BOUND)
    assert gone.status_code == 410
    assert gone.json()["error"]["errorString"] == "Gone"


def test_root_lists_the_vendors_and_other_paths_are_404(fake_runs_server: FakeRuns) -> None:
    index = requests.get(fake_runs_server.url + "/", timeout=BOUND)
    assert index.json() == {
        "vendors": {name: v.base_url for name, v in fake_runs_server.vendors.items()}
    }
    outside = requests.get(fake_runs_server.url + "/nowhere/runs", timeout=BOUND)
    assert outside.status_code == 404
    assert "/coalesce" in outside.json()["message"]
    assert fake_runs_server.calls == []  # neither is a vendor call
    assert fake_runs_server.unmatched == []


def test_a_frozen_clock_holds_for_the_server_thread_too(fake_runs_server: FakeRuns) -> None:
    run = fake_runs_server.coalesce.add_run(durations={"waitingToRun": 2, "running": 30})
    url = f"{fake_runs_server.coalesce.base_url}/api/v1/runs/{run.id}"
    with fake_runs_server.clock.freeze():
        first = requests.get(url, headers=AUTH, timeout=BOUND).json()["runStatus"]
        fake_runs_server.clock.advance(60)
        later = requests.get(url, headers=AUTH, timeout=BOUND).json()["runStatus"]
    assert (first, later) == ("waitingToRun", "completed")


@pytest.mark.fake_runs(instant_sleep=True)
def test_instant_sleep_moves_what_the_server_shows(fake_runs_server: FakeRuns) -> None:
    import time

    run = fake_runs_server.coalesce.add_run(durations={"waitingToRun": 2, "running": 30})
    url = f"{fake_runs_server.coalesce.base_url}/api/v1/runs/{run.id}"
    time.sleep(3600)  # the fake clock, not the wall clock
    assert requests.get(url, headers=AUTH, timeout=BOUND).json()["runStatus"] == "completed"


# -- faults over the socket ------------------------------------------------------------------


def test_connection_fault_resets_without_an_answer(fake_runs_server: FakeRuns) -> None:
    fault = fake_runs_server.inject(error="connection", vendor="coalesce", times=2)
    with pytest.raises(requests.ConnectionError):
        requests.get(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND)
    sock = connect(fake_runs_server.url)
    with sock:
        sock.sendall(raw_request(runs_url(fake_runs_server), headers=AUTH))
        with pytest.raises(ConnectionResetError):  # an RST, not one byte of answer
            sock.recv(1024)
    assert fault.hits == 2
    assert [c.status for c in fake_runs_server.calls] == [0, 0]
    assert fake_runs_server.calls[-1].fault is fault
    after = requests.get(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND)
    assert after.status_code == 200  # the server itself is fine


def test_timeout_fault_makes_the_client_time_out(fake_runs_server: FakeRuns) -> None:
    fault = fake_runs_server.inject(error="timeout", vendor="coalesce", times=1)
    with pytest.raises(requests.ReadTimeout):
        requests.get(runs_url(fake_runs_server), headers=AUTH, timeout=0.3)
    assert fault.hits == 1
    assert fake_runs_server.calls[-1].status == 0
    assert requests.get(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND).ok


@pytest.mark.fake_runs(progression="manual")
def test_malformed_fault_sends_the_cut_body(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.coalesce.add_runs(5)
    fake_runs_server.inject(error="malformed", vendor="coalesce", times=1)
    cut = requests.get(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND)
    usual = requests.get(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND)
    assert cut.status_code == 200
    assert cut.headers["Content-Type"] == usual.headers["Content-Type"]
    assert cut.headers["Content-Length"] == str(len(cut.content))
    assert 0 < len(cut.content) < len(usual.content)
    assert usual.content.startswith(cut.content)
    with pytest.raises(ValueError):
        json.loads(cut.content)


def test_status_fault_over_the_server(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.inject(status=429, vendor="coalesce", retry_after=4, times=1)
    r = requests.get(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "4"
    assert r.json()["error"]["errorString"] == "Too Many Requests"


def _wait_for_calls(fake: FakeRuns, count: int) -> None:
    done = threading.Event()
    for _ in range(int(BOUND / 0.01)):
        if len(fake.calls) >= count:
            return
        done.wait(0.01)
    raise AssertionError(f"the fake answered {len(fake.calls)} call(s), expected {count}")


def _stop_within_bound(server: FakeRunsServer) -> None:
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(BOUND)
    assert not stopper.is_alive(), "stop() did not return"


def test_stop_releases_a_held_connection(standalone: FakeRuns) -> None:
    standalone.inject(error="timeout")
    with serving(standalone, hold_seconds=BOUND * 6) as server:  # only stop() can end it
        sock = connect(server.url)
        with sock:
            sock.sendall(raw_request(runs_url(standalone), headers=AUTH))
            _wait_for_calls(standalone, 1)
            _stop_within_bound(server)
            assert sock.recv(1024) == b""  # closed by stop(), no answer


def test_a_held_connection_is_closed_after_the_hold_bound(standalone: FakeRuns) -> None:
    standalone.inject(error="timeout")
    server = FakeRunsServer(standalone, hold_seconds=0.2)
    with server, standalone.serving({"coalesce": server.url + "/coalesce"}, server.url):
        sock = connect(server.url)  # timeout BOUND, far above the hold bound
        with sock:
            sock.sendall(raw_request(runs_url(standalone), headers=AUTH))
            assert sock.recv(1024) == b""


def test_stop_closes_idle_keep_alive_connections(standalone: FakeRuns) -> None:
    with serving(standalone) as server, requests.Session() as session:
        assert session.get(runs_url(standalone), headers=AUTH, timeout=BOUND).ok
        handlers = [t for t in threading.enumerate() if t.name.startswith("fakeruns-server-conn")]
        assert handlers, "the keep-alive connection has a handler thread"
        _stop_within_bound(server)
        for thread in handlers:
            thread.join(BOUND)
            assert not thread.is_alive()
        with pytest.raises(requests.ConnectionError):
            session.get(runs_url(standalone), headers=AUTH, timeout=BOUND)


def test_serving_restores_roots_and_in_process_answers() -> None:
    with FakeRuns(seed=1) as fake:
        default_root = fake.coalesce.base_url
        with serving(fake) as server:
            assert fake.coalesce.base_url == server.url + "/coalesce"
            assert not fake.in_process
            assert requests.get(runs_url(fake), headers=AUTH, timeout=BOUND).ok
        assert fake.coalesce.base_url == default_root == Coalesce.default_base_url
        assert fake.in_process
        with pytest.raises(FakeRunsError):
            fake.url  # noqa: B018
        answered = len(fake.calls)
        assert requests.get(runs_url(fake), headers=AUTH, timeout=BOUND).ok  # in-process again
        assert len(fake.calls) == answered + 1
        assert "Host" not in fake.calls[-1].headers


def test_binds_loopback_by_default(standalone: FakeRuns) -> None:
    with serving(standalone) as server:
        assert server._httpd.socket.getsockname()[0] == "127.0.0.1"
        assert server.url == f"http://127.0.0.1:{server.port}"


def test_a_port_in_use_fails_at_once_with_a_clear_error(standalone: FakeRuns) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(FakeRunsError, match=rf"cannot serve on 127\.0\.0\.1:{port}: "):
            FakeRunsServer(standalone, port=port)
    with pytest.raises(FakeRunsError, match=r"cannot serve on 127\.0\.0\.1:70000"):
        FakeRunsServer(standalone, port=70000)


def test_two_servers_get_different_ports(standalone: FakeRuns) -> None:
    other = FakeRuns(seed=4)
    with serving(standalone) as one, serving(other) as two:
        assert one.port != two.port
        assert requests.get(one.url + "/", timeout=BOUND).json()["vendors"]["coalesce"] == (
            one.url + "/coalesce"
        )
        assert requests.get(two.url + "/", timeout=BOUND).json()["vendors"]["coalesce"] == (
            two.url + "/coalesce"
        )


# -- teardown checks, in a pytest run of their own -------------------------------------------


def test_strict_unmatched_fails_the_test_over_the_server_too(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_unmatched(fake_runs_server):
            url = fake_runs_server.coalesce.base_url + "/api/v9/nothing"
            r = requests.get(url, headers={"Authorization": "Bearer t"}, timeout=10)
            assert r.status_code == 404
            assert r.json()["error"]["errorString"] == "Not Found"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*matched no route*", "*GET http://127.0.0.1:*/coalesce/api/v9/nothing*"]
    )


def test_an_exception_inside_the_fake_is_a_500_and_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        from pytest_fakeruns import Route
        from pytest_fakeruns.vendors.coalesce import Coalesce

        def explode(ctx):
            raise RuntimeError("kaboom")

        class Boom(Coalesce):
            name = "boom"
            default_base_url = "https://boom.example"

            def routes(self):
                return [Route("GET", "/explode", explode, auth=False)]

        def pytest_fakeruns_vendors():
            return [Boom]
        """
    )
    pytester.makepyfile(
        """
        import requests

        def test_boom(fake_runs_server):
            for _ in range(3):
                r = requests.get(fake_runs_server.boom.base_url + "/explode", timeout=10)
                assert r.status_code == 500
                # the vendor's own envelope (Coalesce's), the bug named in a header
                assert r.json() == {"error": {"errorString": "Internal Server Error",
                                              "errorDetail": r.json()["error"]["errorDetail"]}}
                assert "kaboom" in r.headers["X-Fakeruns-Error"]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*3 request(s) raised inside the fake (1 distinct bug(s))*",
            "*bug #1: RuntimeError: kaboom*",
            "*3 request(s): GET /boom/explode, GET /boom/explode, GET /boom/explode*",
        ]
    )
    out = result.stdout.str()
    assert out.count('raise RuntimeError("kaboom")') == 1  # the traceback once per bug
    assert "The above exception was the direct cause" not in out  # not chained


def test_resetting_the_tests_own_mocks_keeps_the_server_reachable(
    fake_runs_server: FakeRuns,
) -> None:
    fake_runs_server.coalesce.add_runs(2)
    fake_runs_server.responses.reset()
    answer = requests.get(
        fake_runs_server.coalesce.base_url + "/api/v1/runs",
        headers={"Authorization": "Bearer t0k3n"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert len(answer.json()["data"]) == 2


def test_the_usual_roots_are_refused_while_served_never_sent_out(
    fake_runs_server: FakeRuns,
) -> None:
    import asyncio

    import httpx

    usual = "https://app.coalescesoftware.io/api/v1/runs"
    message = "coalesce is served at http://127.0.0.1:"
    with pytest.raises(requests.ConnectionError, match=message):
        requests.get(usual, headers=AUTH, timeout=5)
    with pytest.raises(httpx.ConnectError, match=message):
        httpx.get(usual, headers=AUTH)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(usual, headers=AUTH)

    with pytest.raises(httpx.ConnectError, match="is not faked"):
        asyncio.run(go())
    assert fake_runs_server.calls == []
