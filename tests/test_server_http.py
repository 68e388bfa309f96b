"""The server's HTTP: bodies on any method, chunked, HEAD, 204, keep-alive framing, odd input."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests

from pytest_fakeruns import Context, FakeRuns, Route, State, Step, VendorDefinition, Vocabulary
from pytest_fakeruns._http import Response
from pytest_fakeruns._server import FakeRunsServer, serving

BOUND = 10.0


def echo(ctx: Context) -> Response:
    body = ctx.request.body
    return ctx.json(
        {
            "method": ctx.request.method,
            "path": ctx.path,
            "query": ctx.query,
            "body": None if body is None else body.decode("utf-8"),
            "headers": {name.lower(): value for name, value in ctx.request.headers.items()},
        },
        headers={"X-Echo": "yes"},
    )


def empty(ctx: Context) -> Response:
    return Response(204, {"X-Empty": "1"}, b"")


class Echo(VendorDefinition):
    """Answers what it was sent: the transport under test, without any vendor's rules."""

    name = "echo"
    default_base_url = "https://echo.example"
    parent_keyword = "parent"
    vocabulary = Vocabulary(
        steps=(Step("waiting", State.WAITING), Step("running", State.RUNNING)),
        terminal_words={State.COMPLETED: "done", State.FAILED: "failed", State.CANCELED: "x"},
        durations={State.WAITING: 1.0, State.RUNNING: 1.0},
    )

    def routes(self) -> list[Route]:
        methods = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        return [Route(m, "/echo", echo, auth=False) for m in methods] + [
            Route("DELETE", "/empty", empty, auth=False)
        ]

    def error(self, ctx: Context, status: int, message: str | None, **extra: Any) -> Response:
        return ctx.json({"message": message or "error"}, status)


@pytest.fixture
def server() -> Iterator[FakeRunsServer]:
    with serving(FakeRuns(seed=1, vendors=[Echo])) as served:
        yield served


def echo_url(server: FakeRunsServer) -> str:
    return server.fake.vendor("echo").base_url + "/echo"


def exchange(server: FakeRunsServer, *messages: bytes) -> bytes:
    """Send raw bytes on one connection (a pause after each), return every byte answered."""
    parts = urlsplit(server.url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=BOUND) as sock:
        received = b""
        for message in messages:
            sock.sendall(message)
            received += _read_answer(sock)
        return received


def _read_answer(sock: socket.socket) -> bytes:
    """One answer: its head, then Content-Length bytes of body (none after a 100)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed mid-answer after {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and not head.startswith(b"HTTP/1.1 100"):
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        rest += chunk
    return head + b"\r\n\r\n" + rest


def test_get_with_a_body_reads_content_length(server: FakeRunsServer) -> None:
    r = requests.request("GET", echo_url(server), data=b'{"a": 1}', timeout=BOUND)
    assert r.json()["method"] == "GET"
    assert r.json()["body"] == '{"a": 1}'
    x = httpx.request("GET", echo_url(server), content=b'{"b": 2}', timeout=BOUND)
    assert x.json()["body"] == '{"b": 2}'


def test_chunked_body(server: FakeRunsServer) -> None:
    r = requests.post(echo_url(server), data=iter([b"ab", b"", b"cd"]), timeout=BOUND)
    assert r.json()["headers"]["transfer-encoding"] == "chunked"
    assert r.json()["body"] == "abcd"


def test_large_body_and_unicode(server: FakeRunsServer) -> None:
    text = "é" * 300_000
    r = requests.put(echo_url(server), data=text.encode(), timeout=BOUND)
    assert r.json()["body"] == text


def test_query_headers_and_methods_reach_the_core(server: FakeRunsServer) -> None:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        r = requests.request(
            method,
            echo_url(server) + "?a=1&a=2&b=%20x&c=",
            headers={"X-Thing": "v1"},
            timeout=BOUND,
        )
        shown = r.json()
        assert shown["method"] == method
        assert shown["path"] == "/echo"
        assert shown["query"] == {"a": "1", "b": " x", "c": ""}
        assert shown["headers"]["x-thing"] == "v1"
        assert r.headers["X-Echo"] == "yes"
    assert [c.method for c in server.fake.calls] == ["GET", "POST", "PUT", "PATCH", "DELETE"]


def test_head_has_headers_and_no_body_and_keeps_the_connection_usable(
    server: FakeRunsServer,
) -> None:
    host = urlsplit(server.url).netloc
    parts = urlsplit(server.url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=BOUND) as sock:
        sock.sendall(f"HEAD /echo/echo HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            assert chunk
            head += chunk
        assert head.startswith(b"HTTP/1.1 200 ")
        assert head.endswith(b"\r\n\r\n"), "no body byte after a HEAD answer"
        assert b"Content-Length: " in head
        sock.sendall(f"GET /echo/echo?n=2 HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        second = _read_answer(sock)
    assert second.startswith(b"HTTP/1.1 200 ")
    assert b'"query":{"n":"2"}' in second


def test_204_has_no_body_and_keep_alive_goes_on(server: FakeRunsServer) -> None:
    with requests.Session() as session:
        gone = session.delete(server.fake.vendor("echo").base_url + "/empty", timeout=BOUND)
        assert gone.status_code == 204
        assert gone.content == b""
        assert "Content-Length" not in gone.headers
        assert gone.headers["X-Empty"] == "1"
        again = session.get(echo_url(server), timeout=BOUND)
    assert again.json()["method"] == "GET"


def test_absolute_form_request_target(server: FakeRunsServer) -> None:
    host = urlsplit(server.url).netloc
    answer = exchange(
        server, f"GET {echo_url(server)}?x=1 HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"query":{"x":"1"}' in answer


def test_expect_100_continue(server: FakeRunsServer) -> None:
    host = urlsplit(server.url).netloc
    head = (
        f"POST /echo/echo HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\n"
        "Expect: 100-continue\r\n\r\n"
    ).encode()
    answer = exchange(server, head, b"hello")
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n")
    assert b"HTTP/1.1 200 " in answer
    assert b'"body":"hello"' in answer


def test_bad_content_length_is_a_400(server: FakeRunsServer) -> None:
    host = urlsplit(server.url).netloc
    answer = exchange(
        server, f"POST /echo/echo HTTP/1.1\r\nHost: {host}\r\nContent-Length: x\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert server.fake.calls == []


def test_any_host_header_reaches_the_same_fake(server: FakeRunsServer) -> None:
    answer = exchange(server, b"GET /echo/echo HTTP/1.1\r\nHost: fakeruns.internal:1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"host":"fakeruns.internal:1"' in answer
    assert server.fake.calls[-1].url == echo_url(server)
