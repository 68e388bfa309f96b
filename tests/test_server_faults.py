"""Every fault kind over a real socket, seen by requests, httpx sync and httpx async.

Delays and slow bodies are produced by shaping what ``FakeRuns.handle`` returns (the neutral
``Response.delay`` / ``error="slow_body"``); connection, timeout and malformed also go through
``fake_runs.inject(error=...)`` end to end. Delays are tiny so the suite stays fast; each timing
assertion has a generous upper margin for a loaded machine.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
import requests

from pytest_fakeruns import FakeRuns
from pytest_fakeruns._http import Request, Response
from pytest_fakeruns._server import MAX_DELAY_SECONDS, SLOW_BODY_PIECES, FakeRunsServer, serving

AUTH = {"Authorization": "Bearer t0k3n"}
BOUND = 10.0
SLACK = 1.5  # seconds a delayed answer may come late on a busy machine


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


@dataclass
class Client:
    """One HTTP client library, with the exceptions it raises for each transport fault."""

    name: str
    get: Callable[[str, float], Answer]
    read_timeout: type[BaseException]  # no answer within the timeout
    body_timeout: type[BaseException]  # head received, then the body stalls
    reset: type[BaseException]  # the connection reset (RST) before any answer


def _requests_get(url: str, timeout: float) -> Answer:
    started = time.perf_counter()
    r = requests.get(url, headers=AUTH, timeout=timeout)
    return Answer(r.status_code, dict(r.headers), r.content, time.perf_counter() - started)


def _httpx_get(url: str, timeout: float) -> Answer:
    started = time.perf_counter()
    r = httpx.get(url, headers=AUTH, timeout=timeout)
    return Answer(r.status_code, dict(r.headers), r.content, time.perf_counter() - started)


def _httpx_async_get(url: str, timeout: float) -> Answer:
    async def go() -> Answer:
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=timeout) as client:
            r = await client.get(url, headers=AUTH)
        return Answer(r.status_code, dict(r.headers), r.content, time.perf_counter() - started)

    return asyncio.run(go())


CLIENTS = [
    # requests raises ReadTimeout while waiting for the head, but ConnectionError (wrapping
    # urllib3's ReadTimeoutError) when the body stalls: that is how requests reads a body
    Client(
        "requests",
        _requests_get,
        requests.ReadTimeout,
        requests.ConnectionError,
        requests.ConnectionError,
    ),
    Client("httpx", _httpx_get, httpx.ReadTimeout, httpx.ReadTimeout, httpx.ReadError),
    Client("httpx-async", _httpx_async_get, httpx.ReadTimeout, httpx.ReadTimeout, httpx.ReadError),
]


@pytest.fixture(params=CLIENTS, ids=[c.name for c in CLIENTS])
def client(request: pytest.FixtureRequest) -> Client:
    return request.param  # type: ignore[no-any-return]


def runs_url(fake: FakeRuns) -> str:
    return f"{fake.coalesce.base_url}/api/v1/runs"


Shape = Callable[..., None]


@pytest.fixture
def shape(fake_runs_server: FakeRuns, monkeypatch: pytest.MonkeyPatch) -> Shape:
    """``shape(delay=..., error=...)``: every answer of the fake carries these fields."""
    real = fake_runs_server.handle

    def set_fields(delay: float = 0.0, error: str | None = None) -> None:
        def handle(request: Request) -> Response | None:
            response = real(request)
            if response is not None:
                response.delay = delay
                response.error = error
            return response

        monkeypatch.setattr(fake_runs_server, "handle", handle)

    return set_fields


# -- delay -----------------------------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
def test_a_delayed_answer_arrives_after_the_delay(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    fake_runs_server.coalesce.add_runs(2)
    usual = client.get(runs_url(fake_runs_server), BOUND)
    shape(delay=0.2)
    slow = client.get(runs_url(fake_runs_server), BOUND)
    assert slow.status == 200
    assert slow.body == usual.body
    assert 0.19 <= slow.seconds < 0.2 + SLACK


def test_a_client_timeout_shorter_than_the_delay_fires(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    shape(delay=1.0)
    started = time.perf_counter()
    with pytest.raises(client.read_timeout):
        client.get(runs_url(fake_runs_server), 0.2)
    assert time.perf_counter() - started < 1.0  # the client's timeout, not the delay
    assert len(fake_runs_server.calls) == 1


def test_a_delayed_status_fault_is_slow_and_keeps_its_envelope(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    fake_runs_server.inject(status=503, vendor="coalesce", retry_after=2)
    shape(delay=0.2)
    slow = client.get(runs_url(fake_runs_server), BOUND)
    assert slow.status == 503
    assert {k.lower(): v for k, v in slow.headers.items()}["retry-after"] == "2"
    assert json.loads(slow.body)["error"]["errorString"] == "Service Unavailable"
    assert slow.seconds >= 0.19


def test_a_delay_is_capped_and_ends_when_the_server_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert MAX_DELAY_SECONDS == 30.0
    fake = FakeRuns(seed=4)
    with serving(fake) as server:
        real = fake.handle

        def handle(request: Request) -> Response | None:
            response = real(request)
            assert response is not None
            response.delay = 10_000.0  # served as MAX_DELAY_SECONDS
            return response

        monkeypatch.setattr(fake, "handle", handle)
        sock = _send_raw(server, runs_url(fake))
        with sock:
            _wait_for_calls(fake, 1)
            started = time.perf_counter()
            server.stop()
            assert sock.recv(1024) == b""  # no answer: the server stopped mid-delay
            assert time.perf_counter() - started < 3


# -- slow_body -------------------------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
def test_a_slow_body_comes_whole_across_the_delay(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    fake_runs_server.coalesce.add_runs(3)
    usual = client.get(runs_url(fake_runs_server), BOUND)
    shape(delay=0.4, error="slow_body")
    slow = client.get(runs_url(fake_runs_server), BOUND)
    assert slow.status == 200
    assert slow.body == usual.body
    assert int({k.lower(): v for k, v in slow.headers.items()}["content-length"]) == len(usual.body)
    assert 0.35 <= slow.seconds < 0.4 + SLACK


@pytest.mark.fake_runs(progression="manual")
def test_a_slow_body_sends_the_head_at_once_and_the_body_in_pieces(
    fake_runs_server: FakeRuns, shape: Shape
) -> None:
    fake_runs_server.coalesce.add_runs(3)
    shape(delay=0.8, error="slow_body")
    sock = _send_raw(fake_runs_server, runs_url(fake_runs_server))
    with sock:
        started = time.perf_counter()
        data = sock.recv(65536)
        head_seconds = time.perf_counter() - started
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
        )
        reads = 1 if body else 0
        while len(body) < length:
            chunk = sock.recv(65536)
            assert chunk, "closed mid-body"
            body += chunk
            reads += 1
        total = time.perf_counter() - started
    assert head_seconds < 0.3  # the status line and headers went out before the body
    assert reads >= SLOW_BODY_PIECES // 2  # several writes, not one
    assert 0.7 <= total < 0.8 + SLACK
    json.loads(body)  # whole, once it has all come


def test_a_stalling_slow_body_trips_a_short_read_timeout(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    fake_runs_server.coalesce.add_runs(3)
    shape(delay=SLOW_BODY_PIECES * 0.5, error="slow_body")  # 0.5 s between pieces
    with pytest.raises(client.body_timeout):
        client.get(runs_url(fake_runs_server), 0.2)


@pytest.mark.fake_runs(strict=False)  # whichever answer HEAD gets, it has no body
def test_a_slow_body_to_head_is_the_head_alone(fake_runs_server: FakeRuns, shape: Shape) -> None:
    shape(delay=0.2, error="slow_body")
    with requests.Session() as session:
        r = session.head(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND)
        assert int(r.headers["Content-Length"]) > 0
        assert r.content == b""
        assert session.get(runs_url(fake_runs_server), headers=AUTH, timeout=BOUND).ok


# -- connection, timeout, malformed: shaped and injected -------------------------------------


def test_a_connection_fault_is_a_reset(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    shape(error="connection")
    with pytest.raises(client.reset):
        client.get(runs_url(fake_runs_server), BOUND)


def test_a_delayed_connection_fault_resets_after_the_delay(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    shape(delay=0.2, error="connection")
    started = time.perf_counter()
    with pytest.raises(client.reset):
        client.get(runs_url(fake_runs_server), BOUND)
    assert 0.19 <= time.perf_counter() - started < 0.2 + SLACK


def test_an_injected_connection_fault_is_a_reset(
    fake_runs_server: FakeRuns, client: Client
) -> None:
    fault = fake_runs_server.inject(error="connection", vendor="coalesce", times=1)
    with pytest.raises(client.reset):
        client.get(runs_url(fake_runs_server), BOUND)
    assert fault.hits == 1
    assert fake_runs_server.calls[-1].status == 0
    assert client.get(runs_url(fake_runs_server), BOUND).status == 200


def test_a_timeout_fault_answers_nothing_until_the_client_gives_up(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    shape(error="timeout")
    started = time.perf_counter()
    with pytest.raises(client.read_timeout):
        client.get(runs_url(fake_runs_server), 0.3)
    assert 0.29 <= time.perf_counter() - started < 0.3 + SLACK


def test_an_injected_timeout_fault_times_the_client_out(
    fake_runs_server: FakeRuns, client: Client
) -> None:
    fault = fake_runs_server.inject(error="timeout", vendor="coalesce", times=1)
    with pytest.raises(client.read_timeout):
        client.get(runs_url(fake_runs_server), 0.3)
    assert fault.hits == 1
    assert client.get(runs_url(fake_runs_server), BOUND).status == 200


@pytest.mark.fake_runs(progression="manual")
def test_an_injected_malformed_fault_is_what_in_process_clients_see(
    fake_runs_server: FakeRuns, client: Client
) -> None:
    fake_runs_server.coalesce.add_runs(4)
    usual = client.get(runs_url(fake_runs_server), BOUND)
    fake_runs_server.inject(error="malformed", vendor="coalesce", times=1)
    cut = client.get(runs_url(fake_runs_server), BOUND)
    assert cut.status == 200
    headers = {k.lower(): v for k, v in cut.headers.items()}
    usual_headers = {k.lower(): v for k, v in usual.headers.items()}
    assert headers["content-type"] == usual_headers["content-type"]
    assert headers["content-length"] == str(len(cut.body))  # read whole: no framing error
    assert 1 <= len(cut.body) < len(usual.body)
    assert usual.body.startswith(cut.body)
    with pytest.raises(ValueError):
        json.loads(cut.body)
    # exactly the in-process shape: the core cut the body, the server sends it as it is
    shaped = fake_runs_server.calls[-1].response
    assert shaped.error == "malformed" and shaped.body == cut.body


def test_a_shaped_malformed_answer_is_sent_as_the_core_cut_it(
    fake_runs_server: FakeRuns, shape: Shape, client: Client
) -> None:
    shape(delay=0.1, error="malformed")
    answer = client.get(runs_url(fake_runs_server), BOUND)
    assert answer.status == 200
    assert json.loads(answer.body)  # this answer was not cut: the server never cuts itself
    assert answer.seconds >= 0.09


# -- helpers ---------------------------------------------------------------------------------


def _send_raw(server: FakeRuns | FakeRunsServer, url: str) -> socket.socket:
    parts = urlsplit(server.url)
    assert parts.hostname is not None and parts.port is not None
    sock = socket.create_connection((parts.hostname, parts.port), timeout=BOUND)
    target = urlsplit(url)
    sock.sendall(
        f"GET {target.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer t0k3n\r\n\r\n".encode()
    )
    return sock


def _wait_for_calls(fake: FakeRuns, count: int) -> None:
    for _ in range(int(BOUND / 0.01)):
        if len(fake.calls) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"the fake answered {len(fake.calls)} call(s), expected {count}")


@pytest.mark.parametrize(
    ("given", "served"),
    [(-1.0, 0.0), (float("nan"), 0.0), (0.0, 0.0), (0.25, 0.25), (float("inf"), MAX_DELAY_SECONDS)],
)
def test_a_delay_is_served_within_zero_and_the_cap(given: float, served: float) -> None:
    from pytest_fakeruns._server import _delay

    assert _delay(Response(200, delay=given)) == served


def test_the_request_log_shows_the_delay() -> None:
    import io

    log = io.StringIO()
    fake = FakeRuns(seed=5)
    with serving(fake, log=log) as server:
        real = fake.handle

        def handle(request: Request) -> Response | None:
            response = real(request)
            assert response is not None
            response.delay = 0.05
            return response

        fake.handle = handle  # type: ignore[method-assign, assignment]
        requests.get(server.url + "/coalesce/api/v1/runs", timeout=BOUND)
    assert "GET /coalesce/api/v1/runs -> 401 (delay 0.05 s)" in log.getvalue()
