"""The server against hostile or broken HTTP on a raw socket: limits, framing, idle clients.

Every refusal is an HTTP/1.1 status line with a JSON body, the fake is never reached (no call,
no run), and the connection is closed after it.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from pytest_fakeruns import FakeRuns, Route
from pytest_fakeruns._http import Request, Response, json_response
from pytest_fakeruns._server import (
    DEFAULT_MAX_BODY,
    MAX_HEADER_BYTES,
    MAX_HEADERS,
    MAX_REQUEST_LINE,
    FakeRunsServer,
    serving,
)
from pytest_fakeruns.vendors.coalesce import Coalesce

BOUND = 10.0
AUTH = "Authorization: Bearer t0k3n\r\n"
START = "/coalesce/scheduler/startRun"
START_RUN = json.dumps(
    {
        "runDetails": {"environmentID": "7"},
        "userCredentials": {"snowflakeUsername": "LOADER", "snowflakePassword": "s3cret"},
    }
).encode()


@pytest.fixture
def server() -> Iterator[FakeRunsServer]:
    with serving(FakeRuns(seed=2, progression="manual")) as served:
        yield served


def talk(server: FakeRunsServer, data: bytes, half_close: bool = False) -> bytes:
    """Send ``data`` on a fresh connection; every byte answered until the server closes."""
    parts = urlsplit(server.url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=BOUND) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk


def answer(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 "), f"not an HTTP/1.1 status line: {raw[:80]!r}"
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    assert int(headers["content-length"]) == len(body)
    return int(lines[0].split(" ")[1]), headers, body


def refused(raw: bytes, status: int) -> str:
    """The refusal's message: ``status``, a JSON body, and the connection closed after it."""
    got, headers, body = answer(raw)
    assert got == status, raw[:300]
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    message = json.loads(body)["message"]
    assert isinstance(message, str) and message
    return message


def head(target: str = START, *lines: str, method: str = "POST") -> bytes:
    extra = "".join(line + "\r\n" for line in lines)
    return f"{method} {target} HTTP/1.1\r\nHost: x\r\n{AUTH}{extra}\r\n".encode()


def untouched(server: FakeRunsServer) -> None:
    assert server.fake.calls == []
    assert server.fake.coalesce.runs() == []


# -- item 6: bodies, headers and request lines are bounded -----------------------------------


def test_a_huge_content_length_is_413_without_reading_it(server: FakeRunsServer) -> None:
    started = time.perf_counter()
    raw = talk(server, head(START, "Content-Length: 1000000000000000"))
    message = refused(raw, 413)
    assert f"exceeds the limit of {DEFAULT_MAX_BODY}" in message
    assert time.perf_counter() - started < 5
    untouched(server)


def test_a_huge_chunk_size_is_413_without_reading_it(server: FakeRunsServer) -> None:
    raw = talk(server, head(START, "Transfer-Encoding: chunked") + b"ffffffffffff\r\nabc")
    assert "chunked body exceeds the limit" in refused(raw, 413)
    untouched(server)


@pytest.mark.parametrize("size", ["1" * 17, "-1", "0x10", "+5", "1_0", "", "zz"])
def test_a_bad_chunk_size_is_400(server: FakeRunsServer, size: str) -> None:
    raw = talk(server, head(START, "Transfer-Encoding: chunked") + f"{size}\r\n".encode())
    assert "chunk size" in refused(raw, 400)
    untouched(server)


def test_the_body_limit_is_configurable_and_exact() -> None:
    fake = FakeRuns(seed=2, progression="manual")
    fake.coalesce.require_auth = False
    fake.coalesce.add_run(environment_id="7")
    with serving(fake, max_body=len(START_RUN)) as server:
        status, _, _ = answer(
            talk(
                server,
                head(START, f"Content-Length: {len(START_RUN)}", "Connection: close") + START_RUN,
            )
        )
        assert status == 200
        over = talk(server, head(START, f"Content-Length: {len(START_RUN) + 1}") + START_RUN)
        assert f"exceeds the limit of {len(START_RUN)}" in refused(over, 413)
        chunked = head(START, "Transfer-Encoding: chunked") + (
            f"{len(START_RUN):x}\r\n".encode() + START_RUN + b"\r\n1\r\n}\r\n0\r\n\r\n"
        )
        refused(talk(server, chunked), 413)
    assert len(fake.calls) == 1
    assert len(fake.coalesce.runs()) == 2


def test_a_client_sending_a_too_large_body_still_reads_the_413(server: FakeRunsServer) -> None:
    url = server.fake.coalesce.base_url + "/scheduler/startRun"
    r = requests.post(url, data=b"x" * (DEFAULT_MAX_BODY + 1024), timeout=BOUND)
    assert r.status_code == 413
    assert "exceeds the limit" in r.json()["message"]
    untouched(server)


def test_server_options_are_checked(server: FakeRunsServer) -> None:
    from pytest_fakeruns import FakeRunsError

    with pytest.raises(FakeRunsError, match="max_body=-1: give a number of bytes >= 0"):
        FakeRunsServer(server.fake, max_body=-1)
    with pytest.raises(FakeRunsError, match="idle_timeout=0: give a number of seconds > 0"):
        FakeRunsServer(server.fake, idle_timeout=0)


def test_headers_larger_than_the_limit_are_431(server: FakeRunsServer) -> None:
    lines = [f"X-Pad-{i}: {'v' * 1000}" for i in range(MAX_HEADER_BYTES // 1000 + 1)]
    assert "headers are larger than" in refused(talk(server, head(START, *lines)), 431)
    one_huge = f"X-Huge: {'v' * (MAX_HEADER_BYTES + 10)}"
    refused(talk(server, head(START, one_huge)), 431)
    untouched(server)


def test_too_many_header_fields_are_431(server: FakeRunsServer) -> None:
    many = [f"X-N{i}: 1" for i in range(MAX_HEADERS + 1)]
    assert f"more than {MAX_HEADERS}" in refused(talk(server, head(START, *many)), 431)
    untouched(server)
    # the limit itself is accepted (the request has Host and Authorization besides these)
    enough = [f"X-N{i}: 1" for i in range(MAX_HEADERS - 3)]
    status, _, _ = answer(talk(server, head("/", *enough, "Connection: close", method="GET")))
    assert status == 200


def test_a_request_line_longer_than_the_limit_is_414(server: FakeRunsServer) -> None:
    target = "/coalesce/api/v1/runs?pad=" + "a" * MAX_REQUEST_LINE
    raw = talk(server, f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert f"longer than {MAX_REQUEST_LINE} bytes" in refused(raw, 414)
    assert server.fake.calls == []


# -- item 7: a short body is never acted on --------------------------------------------------


def test_a_body_shorter_than_its_content_length_then_half_close_is_400(
    server: FakeRunsServer,
) -> None:
    data = head(START, f"Content-Length: {len(START_RUN) + 20}") + START_RUN
    raw = talk(server, data, half_close=True)
    assert f"ended after {len(START_RUN)} of {len(START_RUN) + 20} bytes" in refused(raw, 400)
    untouched(server)


def test_a_chunked_body_cut_short_is_400(server: FakeRunsServer) -> None:
    data = head(START, "Transfer-Encoding: chunked") + f"{len(START_RUN):x}\r\n".encode()
    raw = talk(server, data + START_RUN[:10], half_close=True)
    assert "ended after 10 of" in refused(raw, 400)
    raw = talk(server, data + START_RUN + b"\r\n", half_close=True)  # no last chunk
    refused(raw, 400)
    untouched(server)


# -- item 8: framing, request lines, idle connections ----------------------------------------


@pytest.mark.parametrize(
    ("line", "status"),
    [
        (b"GET /", 400),  # HTTP/0.9 style: refused with an HTTP/1.1 answer
        (b"GET / HTTP/1.1 extra", 400),
        (b"GET  / HTTP/1.1", 400),
        (b"garbage", 400),
        (b"GET / HTTP/9.9", 400),
        (b"GET / FTP/1.1", 400),
        (b"GET / HTTP/2.0", 505),
        (b"G(T / HTTP/1.1", 400),
        (b"GET /a\x01b HTTP/1.1", 400),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400),  # a TLS ClientHello
        (b"\xff\xfe\xfd", 400),
    ],
)
def test_a_malformed_request_line_gets_a_status_line_and_json(
    server: FakeRunsServer, line: bytes, status: int
) -> None:
    raw = talk(server, line + b"\r\nHost: x\r\n\r\n")
    refused(raw, status)
    assert server.fake.calls == []


def test_a_request_line_without_crlf_then_close_is_400(server: FakeRunsServer) -> None:
    refused(talk(server, b"GET /coalesce/api/v1/runs HTTP/1.1", half_close=True), 400)


@pytest.mark.parametrize(
    "line",
    [
        "NoColonHere",
        "Bad Name: x",
        "Host : x",
        " folded: continuation",
        "X-Null: a\x00b",
        "X-CR: a\rb",
        ": no name",
    ],
)
def test_a_malformed_header_line_is_400(server: FakeRunsServer, line: str) -> None:
    raw = talk(server, head(START, line, "Content-Length: 0"))
    refused(raw, 400)
    untouched(server)


def test_an_unknown_method_reaches_the_fake_as_in_process(server: FakeRunsServer) -> None:
    raw = talk(server, head("/coalesce/api/v1/runs", "Connection: close", method="BREW"))
    status, _, body = answer(raw)
    assert status == 404, raw[:300]
    assert json.loads(body) == {
        "error": {
            "errorString": "Not Found",
            "errorDetail": "No route matches BREW /api/v1/runs.",
        }
    }
    [call] = server.fake.calls
    assert (call.vendor, call.method, call.status) == ("coalesce", "BREW", 404)


@pytest.mark.parametrize("method", ["GE(T", "G/ET", "GET\x7f", "G\u00e9T"])
def test_a_method_that_is_not_a_token_is_400(server: FakeRunsServer, method: str) -> None:
    line = f"{method} /coalesce/api/v1/runs HTTP/1.1\r\nHost: x\r\n\r\n"
    assert "bad method" in refused(talk(server, line.encode("latin-1")), 400)
    untouched(server)


@pytest.mark.parametrize(
    "lengths",
    [("5", "6"), ("5, 6",), ("5", "05, 6")],
)
def test_conflicting_content_lengths_are_400(
    server: FakeRunsServer, lengths: tuple[str, ...]
) -> None:
    lines = [f"Content-Length: {value}" for value in lengths]
    raw = talk(server, head(START, *lines) + b"hello!")
    assert "conflicting Content-Length" in refused(raw, 400)
    untouched(server)


@pytest.mark.parametrize("value", ["x", "-1", "1e3", "٣", " "])
def test_a_content_length_that_is_not_digits_is_400(server: FakeRunsServer, value: str) -> None:
    raw = talk(server, head(START, f"Content-Length: {value}".encode().decode("latin-1")))
    refused(raw, 400)
    untouched(server)


def test_repeated_equal_content_lengths_are_one(server: FakeRunsServer) -> None:
    server.fake.coalesce.require_auth = False
    server.fake.coalesce.add_run(environment_id="7")
    n = len(START_RUN)
    raw = talk(
        server,
        head(START, f"Content-Length: {n}", f"Content-Length: {n}, {n}", "Connection: close")
        + START_RUN,
    )
    status, _, _ = answer(raw)
    assert status == 200
    assert len(server.fake.coalesce.runs()) == 2


def test_content_length_with_transfer_encoding_is_400(server: FakeRunsServer) -> None:
    raw = talk(
        server,
        head(START, "Content-Length: 5", "Transfer-Encoding: chunked") + b"5\r\nhello\r\n0\r\n\r\n",
    )
    assert "both Transfer-Encoding and Content-Length" in refused(raw, 400)
    untouched(server)


@pytest.mark.parametrize(
    ("coding", "status"), [("gzip", 400), ("gzip, chunked", 501), ("chunked, chunked", 501)]
)
def test_other_transfer_codings_are_refused(
    server: FakeRunsServer, coding: str, status: int
) -> None:
    refused(talk(server, head(START, f"Transfer-Encoding: {coding}")), status)
    untouched(server)


def test_a_connection_that_sends_nothing_is_closed_after_the_idle_timeout() -> None:
    with serving(FakeRuns(seed=2), idle_timeout=0.2) as server:
        parts = urlsplit(server.url)
        assert parts.hostname is not None and parts.port is not None
        started = time.perf_counter()
        with socket.create_connection((parts.hostname, parts.port), timeout=BOUND) as sock:
            assert sock.recv(1024) == b""  # closed without a word
        assert 0.15 < time.perf_counter() - started < 5


def test_a_request_that_stalls_midway_gets_408_after_the_idle_timeout() -> None:
    with serving(FakeRuns(seed=2), idle_timeout=0.2) as server:
        raw = talk(server, b"POST /coalesce/scheduler/startRun HTTP/1.1\r\nHost: x\r\n")
        assert "no byte of the request arrived for 0.2 s" in refused(raw, 408)
        raw = talk(server, head(START, "Content-Length: 10") + b"abc")
        refused(raw, 408)
        assert server.fake.calls == []


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() -> None:
    with serving(FakeRuns(seed=2), idle_timeout=0.2) as server:
        parts = urlsplit(server.url)
        assert parts.hostname is not None and parts.port is not None
        with socket.create_connection((parts.hostname, parts.port), timeout=BOUND) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while True:  # the answer, then the end once the connection has idled
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        status, headers, _ = answer(data)
        assert status == 200
        assert "connection" not in headers  # kept alive until it idled


def test_blank_lines_before_a_request_are_ignored(server: FakeRunsServer) -> None:
    status, _, body = answer(talk(server, b"\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n"))
    assert status == 200
    assert "coalesce" in json.loads(body)["vendors"]


def test_http_1_0_is_answered_and_closed(server: FakeRunsServer) -> None:
    status, headers, _ = answer(talk(server, b"GET / HTTP/1.0\r\n\r\n"))
    assert status == 200
    assert headers["connection"] == "close"


def test_the_server_survives_a_burst_of_garbage_and_keeps_serving(
    server: FakeRunsServer,
) -> None:
    garbage = [
        b"\x00" * 100,
        b"GET\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        b"\r\n" * 10,
        b"GET / HTTP/1.1\r\n" + b"A: b\r\n" * 500,
    ]

    def send(data: bytes) -> None:
        talk(server, data, half_close=True)

    threads = [threading.Thread(target=send, args=(g,)) for g in garbage * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND)
    url = server.fake.coalesce.base_url + "/api/v1/runs"
    assert requests.get(url, headers={"Authorization": "Bearer t0k3n"}, timeout=BOUND).ok


# -- the control plane's dispatch point ------------------------------------------------------


def test_paths_under_fakeruns_go_to_the_control_plane(server: FakeRunsServer) -> None:
    other = requests.get(server.url + "/__fakerunsX", timeout=BOUND)
    assert other.status_code == 404 and "message" in other.json()  # outside the vendors
    seen: list[tuple[str, str, str]] = []

    def control(request: Request, path: str) -> Response:
        seen.append((request.method, request.url, path))
        return json_response({"ok": True})

    server.control = control  # type: ignore[assignment]
    r = requests.post(server.url + "/__fakeruns/clock?advance=5", timeout=BOUND)
    assert r.json() == {"ok": True}
    assert seen == [("POST", server.url + "/__fakeruns/clock?advance=5", "/__fakeruns/clock")]
    assert server.fake.calls == []  # not a vendor call


def test_a_control_plane_that_raises_is_a_500(server: FakeRunsServer) -> None:
    def control(request: Request, path: str) -> Response:
        raise RuntimeError("control broke")

    server.control = control  # type: ignore[assignment]
    r = requests.get(server.url + "/__fakeruns/x", timeout=BOUND)
    assert r.status_code == 500
    assert "control broke" in r.json()["message"]
    assert len(server.errors) == 1
    server.errors.clear()


# -- a bug in the fake: the vendor's envelope, logged once -----------------------------------


def explode(ctx: object) -> Response:
    raise RuntimeError("kaboom")


def also_explode(ctx: object) -> Response:
    raise KeyError("other")


class Boom(Coalesce):
    name = "boom"
    default_base_url = "https://boom.example"

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/explode", explode, auth=False),
            Route("GET", "/other", also_explode, auth=False),
        ]


def test_a_bug_is_the_vendors_500_envelope_and_is_logged_once() -> None:
    log = io.StringIO()
    fake = FakeRuns(seed=2, vendors=[Boom])
    with serving(fake, log=log) as server:
        root = fake.vendor("boom").base_url
        for _ in range(3):
            r = requests.get(root + "/explode", timeout=BOUND)
            assert r.status_code == 500
            assert r.json()["error"]["errorString"] == "Internal Server Error"
            assert r.headers["X-Fakeruns-Error"].startswith("RuntimeError: kaboom")
        r = requests.get(root + "/other", timeout=BOUND)
        assert r.status_code == 500
    text = log.getvalue()
    assert text.count("GET /boom/explode -> 500 (bug #1 in the fake: RuntimeError: kaboom)") == 3
    assert "GET /boom/other -> 500 (bug #2 in the fake: KeyError: 'other')" in text
    assert text.count("Traceback (most recent call last)") == 2  # once per distinct bug
    assert "direct cause" not in text and "During handling" not in text
    assert len(server.errors) == 4
    assert [(b.number, len(b.requests)) for b in server.bugs.values()] == [(1, 3), (2, 1)]
    report = server.error_report()
    assert "4 request(s) raised inside the fake (2 distinct bug(s))" in report
    assert report.count("Traceback") == 2
