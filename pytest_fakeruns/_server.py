"""The fake over real HTTP: a threaded stdlib server around ``FakeRuns.handle``.

Used by the ``fake_runs_server`` fixture and ``fakeruns serve``. Every vendor is served below
``<url>/<vendor name>``; while served, the fake's roots point there (so every link it writes
points at the server) and the in-process transports let those URLs through to the socket.
"""

from __future__ import annotations

import contextlib
import http.server
import select
import socket
import threading
import traceback
from collections.abc import Iterator
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._errors import FakeRunsError
from ._http import Headers, Request, Response, dump_json

if TYPE_CHECKING:
    from ._fake import FakeRuns

POLL_INTERVAL = 0.01  # how often serve_forever() looks at its stop flag (stop() waits <= this)
STOP_JOIN_SECONDS = 1.0  # at most this long for handler threads to end after stop()
DEFAULT_HOLD_SECONDS = 10.0  # inject(error="timeout"): hold the connection at most this long
_NO_BODY_STATUSES = frozenset({204, 304})


class _Handler(http.server.BaseHTTPRequestHandler):
    """One connection: read a request, answer it through the fake, repeat (keep-alive)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    server: _Server

    def _serve(self) -> None:
        owner = self.server.owner
        try:
            body = self._read_body()
        except ValueError as exc:
            self._send(Response(400, {"Content-Type": "text/plain"}, str(exc).encode()))
            self.close_connection = True
            return
        target = self.path
        if "://" in target:  # absolute-form (a proxy-style request line)
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not target.startswith("/"):
            self._send(_plain(400, f"request target {self.path!r} is not a path"))
            self.close_connection = True
            return
        request = Request(self.command, owner.url + target, Headers(self.headers.items()), body)
        try:
            response = owner.fake.handle(request)
        except Exception as exc:  # the fake failed: answer 500 and keep it for the test
            owner.record_error(f"{self.command} {target}", exc)
            response = _plain(500, f"pytest-fakeruns: the fake raised {exc!r}")
        if response is None:
            response = owner.outside_vendors(target)
        owner.log(f"{self.command} {target} -> {response.error or response.status}")
        if response.error == "connection":
            self.close_connection = True  # close without a byte of answer
        elif response.error == "timeout":
            self._hold()
            self.close_connection = True
        else:
            self._send(response)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def _read_body(self) -> bytes | None:
        """The request body: Content-Length (any method, GET too) or chunked."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size_line = self.rfile.readline(65537)
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise ValueError("bad chunk size in a chunked request body") from None
                if size == 0:
                    while self.rfile.readline(65537).strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)  # CRLF after the chunk
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        if not length.strip().isdigit():
            raise ValueError(f"Content-Length {length!r} is not a number")
        return self.rfile.read(int(length))

    def _send(self, response: Response) -> None:
        status = response.status
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {status} {reason}"]
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                lines.append(f"{name}: {value}")
        body = response.body
        if status in _NO_BODY_STATUSES or status < 200:
            body = b""
        else:
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if self.command == "HEAD" else head + body)

    def _hold(self) -> None:
        """Keep the connection open without answering until the client gives up, the server
        stops (``stop()`` shuts the socket down, so ``recv`` sees the end), or the hold bound
        passes (counted in poll steps, so a frozen clock cannot stall it)."""
        owner = self.server.owner
        conn = self.connection
        for _ in range(max(1, int(owner.hold_seconds / POLL_INTERVAL))):
            readable, _, _ = select.select([conn], [], [], POLL_INTERVAL)
            if readable:
                try:
                    if not conn.recv(65536):
                        return  # the client closed its end
                except OSError:
                    return

    def log_message(self, format: str, *args: Any) -> None:
        self.server.owner.log(format % args)

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client went away, or stop() closed it
            super().handle()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # many clients connecting at once are queued, not refused
    owner: FakeRunsServer

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"fakeruns-server-conn-{client_address}",
            daemon=True,
        )
        self.owner.opened(request, thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        self.owner.closed(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.owner.log(f"error on a connection from {client_address}:\n{traceback.format_exc()}")


class _Server6(_Server):
    address_family = socket.AF_INET6


def _plain(status: int, message: str) -> Response:
    obj = {"message": message}
    return Response(status, {"Content-Type": "application/json"}, dump_json(obj), obj)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class FakeRunsServer:
    """``fake`` served over HTTP on ``host:port`` (port 0: the OS picks a free one).

    Binding happens in the constructor, so a port that cannot be bound fails at once with a
    ``FakeRunsError``. ``start()`` serves from a daemon thread; ``stop()`` returns in well under
    a second, closing open and held connections.
    """

    def __init__(
        self,
        fake: FakeRuns,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        hold_seconds: float = DEFAULT_HOLD_SECONDS,
        log: IO[str] | None = None,
    ) -> None:
        self.fake = fake
        self.hold_seconds = hold_seconds
        self.errors: list[tuple[str, BaseException, str]] = []
        self._log = log
        self._lock = threading.Lock()
        self._connections: dict[Any, threading.Thread] = {}
        self._thread: threading.Thread | None = None
        cls = _Server6 if ":" in host else _Server
        try:
            self._httpd = cls((host, port), _Handler)
        except (OSError, OverflowError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise FakeRunsError(
                f"cannot serve on {host}:{port}: {reason}; choose another port "
                "(0 lets the OS pick a free one) or host"
            ) from None
        self._httpd.owner = self
        self.host = host
        self.port: int = self._httpd.server_address[1]
        self.url = f"http://{_url_host(host)}:{self.port}"

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeRunsServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": POLL_INTERVAL},
                name=f"fakeruns-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()  # returns within one poll interval
            self._thread.join(STOP_JOIN_SECONDS)
            self._thread = None
        self._httpd.server_close()
        with self._lock:
            open_now = dict(self._connections)
        for conn in open_now:  # wake handlers waiting on idle keep-alive connections
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in open_now.values():
            thread.join(STOP_JOIN_SECONDS / max(1, len(open_now)))

    def __enter__(self) -> FakeRunsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the handlers report ----------------------------------------------------------

    def opened(self, conn: Any, thread: threading.Thread) -> None:
        with self._lock:
            self._connections[conn] = thread

    def closed(self, conn: Any) -> None:
        with self._lock:
            self._connections.pop(conn, None)

    def record_error(self, what: str, exc: BaseException) -> None:
        text = "".join(traceback.format_exception(exc))
        with self._lock:
            self.errors.append((what, exc, text))
        self.log(f"{what}: the fake raised\n{text}")

    def error_report(self) -> str:
        lines = [f"pytest-fakeruns server: {len(self.errors)} request(s) raised inside the fake:"]
        for what, _, text in self.errors:
            lines.append(f"- {what}")
            lines.extend("    " + line for line in text.rstrip().splitlines())
        return "\n".join(lines)

    def log(self, message: str) -> None:
        if self._log is not None:
            with contextlib.suppress(ValueError, OSError):
                self._log.write(message.rstrip("\n") + "\n")
                self._log.flush()

    def outside_vendors(self, target: str) -> Response:
        """``/``: the vendors and their roots; any other path outside the vendors: 404."""
        path = urlsplit(target).path
        if path in ("", "/"):
            obj = {"vendors": {name: v.base_url for name, v in self.fake.vendors.items()}}
            return Response(200, {"Content-Type": "application/json"}, dump_json(obj), obj)
        roots = ", ".join(f"/{name}" for name in self.fake.vendors)
        return _plain(404, f"no faked vendor at {path}; vendors are served under {roots}")

    def __repr__(self) -> str:
        return f"<FakeRunsServer {self.url}>"


@contextlib.contextmanager
def serving(
    fake: FakeRuns,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    hold_seconds: float = DEFAULT_HOLD_SECONDS,
    log: IO[str] | None = None,
) -> Iterator[FakeRunsServer]:
    """Serve ``fake`` over HTTP: roots become ``<url>/<vendor>``, in-process transports pass
    those URLs through to the socket; everything is restored on exit."""
    server = FakeRunsServer(fake, host, port, hold_seconds=hold_seconds, log=log)
    roots = {name: f"{server.url}/{name}" for name in fake.vendors}
    try:
        with fake.serving(roots, server.url), server:
            yield server
    finally:
        server.stop()
