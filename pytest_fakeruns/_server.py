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
import string
import struct
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._definition import Context
from ._errors import FakeRunsError
from ._http import Headers, Request, Response, dump_json

if TYPE_CHECKING:
    from ._fake import FakeRuns

POLL_INTERVAL = 0.01  # how often serve_forever() looks at its stop flag (stop() waits <= this)
STOP_JOIN_SECONDS = 1.0  # at most this long for handler threads to end after stop()
DEFAULT_HOLD_SECONDS = 10.0  # inject(error="timeout"): hold the connection at most this long

# -- limits on what a client may send (docs/server.md, "Limits and timeouts") ----------------
DEFAULT_MAX_BODY = 16 * 1024 * 1024  # request body bytes (Content-Length or chunked): else 413
DEFAULT_IDLE_TIMEOUT = 10.0  # seconds a connection may send nothing before it is closed
MAX_REQUEST_LINE = 8 * 1024  # bytes of the request line, CRLF included: else 414
MAX_HEADER_BYTES = 64 * 1024  # bytes of all header lines together: else 431
MAX_HEADERS = 100  # header fields in one request: else 431
MAX_DELAY_SECONDS = 30.0  # a Response.delay longer than this is served as this
SLOW_BODY_PIECES = 8  # error="slow_body": the body goes out in at most this many writes
LINGER_IDLE_SECONDS = 0.5  # after a refusal, unread input is drained until this long a pause
LINGER_MAX_BYTES = 64 * 1024 * 1024  # ... or this many bytes, so the client reads the answer

CONTROL_PREFIX = "/__fakeruns"  # paths answered by FakeRunsServer.control, not by a vendor
_NO_BODY_STATUSES = frozenset({204, 304})
_TOKEN = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
_HEX = frozenset(string.hexdigits)
_LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST


class _Refusal(Exception):
    """The request cannot be served: answer ``status`` with a JSON message, then close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _delay(response: Response) -> float:
    """The seconds ``response`` is to take over the socket: >= 0, at most MAX_DELAY_SECONDS."""
    delay = float(response.delay or 0.0)
    return min(delay, MAX_DELAY_SECONDS) if delay > 0 else 0.0


def _is_token(text: str) -> bool:
    return bool(text) and all(c in _TOKEN for c in text)


class _Handler(http.server.BaseHTTPRequestHandler):
    """One connection: read a request, answer it through the fake, repeat (keep-alive).

    The request line, headers and body are read here, within the server's limits, rather than
    by ``BaseHTTPRequestHandler`` (whose refusals are bare HTML, or no status line at all).
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.owner.idle_timeout)  # recv/send: idle bound
        self.command = ""
        self.path = ""
        self.request_version = "HTTP/1.1"
        self.requestline = ""

    def handle(self) -> None:
        self.close_connection = False
        with contextlib.suppress(OSError):  # the client went away, or stop() closed it
            while not self.close_connection:
                self.handle_one_request()

    def handle_one_request(self) -> None:
        self._started = False  # True once a whole line of this request has arrived
        self.command = ""
        self.requestline = ""
        try:
            if not self._read_head():
                self.close_connection = True  # the client closed between requests
                return
            body = self._read_body()
        except _Refusal as refusal:
            self._refuse(refusal.status, refusal.message)
            return
        except TimeoutError:
            if self._started:
                limit = self.server.owner.idle_timeout
                self._refuse(408, f"no byte of the request arrived for {limit:g} s")
            self.close_connection = True  # an idle connection is closed without a word
            return
        self._serve(body)

    # -- reading, within the limits --------------------------------------------------------

    def _read_head(self) -> bool:
        """Request line and headers into ``command``, ``path``, ``headers``; False at EOF."""
        line = b""
        for _ in range(3):  # RFC 9112 §2.2: ignore empty lines before the request line
            line = self.rfile.readline(MAX_REQUEST_LINE + 1)
            if not line:
                return False
            self._started = True
            if line not in (b"\r\n", b"\n"):
                break
        if len(line) > MAX_REQUEST_LINE:
            raise _Refusal(414, f"the request line is longer than {MAX_REQUEST_LINE} bytes")
        if not line.endswith(b"\n"):
            raise _Refusal(400, "the request line ended without CRLF")
        self.requestline = text = line.rstrip(b"\r\n").decode("latin-1")
        words = text.split(" ")
        if len(words) != 3:
            raise _Refusal(400, f"bad request line {text[:200]!r}: expected METHOD TARGET HTTP/1.1")
        method, target, version = words
        if not _is_token(method):
            raise _Refusal(400, f"bad method {method[:100]!r}")
        if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target) or not target:
            raise _Refusal(400, f"bad request target {target[:200]!r}")
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            major = version[5:6] if version.startswith("HTTP/") else ""
            if major.isdigit() and int(major) >= 2 and version[5:] in ("2", "2.0", "3", "3.0"):
                raise _Refusal(505, f"{version} is not served; use HTTP/1.1")
            raise _Refusal(400, f"bad HTTP version {version[:100]!r}")
        self.command, self.path, self.request_version = method, target, version
        pairs: list[tuple[str, str]] = []
        size = 0
        while True:
            raw = self.rfile.readline(MAX_HEADER_BYTES - size + 1)
            size += len(raw)
            if size > MAX_HEADER_BYTES:
                raise _Refusal(431, f"the request headers are larger than {MAX_HEADER_BYTES} bytes")
            if not raw.endswith(b"\n"):
                raise _Refusal(400, "the request headers ended before the empty line")
            if raw in (b"\r\n", b"\n"):
                break
            if len(pairs) == MAX_HEADERS:
                raise _Refusal(431, f"more than {MAX_HEADERS} request header fields")
            header = raw.rstrip(b"\r\n").decode("latin-1")
            name, colon, value = header.partition(":")
            if not colon or not _is_token(name):  # obs-fold, "Name :" and the like: §5.1
                raise _Refusal(400, f"bad header line {header[:200]!r}")
            value = value.strip(" \t")
            if any(c in value for c in "\r\x00"):
                raise _Refusal(400, f"bad character in the value of header {name!r}")
            pairs.append((name, value))
        self.header_pairs = pairs
        self.fields = Headers(pairs)
        tokens = {t.strip().lower() for t in self.fields.get("Connection", "").split(",")}
        self.close_connection = version == "HTTP/1.0" or "close" in tokens
        return True

    def _values(self, name: str) -> list[str]:
        """Every value of header ``name``, comma lists split (RFC 9110 §5.3)."""
        wanted = name.lower()
        return [
            part.strip()
            for key, value in self.header_pairs
            if key.lower() == wanted
            for part in value.split(",")
            if part.strip()
        ]

    def _read_body(self) -> bytes | None:
        """The request body: Content-Length (any method, GET too) or chunked (RFC 9112 §6)."""
        owner = self.server.owner
        codings = [c.lower() for c in self._values("Transfer-Encoding")]
        lengths = self._values("Content-Length")
        has_length = any(k.lower() == "content-length" for k, _ in self.header_pairs)
        if codings and has_length:
            raise _Refusal(400, "a request with both Transfer-Encoding and Content-Length")
        if codings:
            if codings[-1] != "chunked":
                raise _Refusal(400, "Transfer-Encoding must end with chunked")
            if codings != ["chunked"]:
                raise _Refusal(501, f"transfer coding {', '.join(codings)} is not served")
            self._continue()
            return self._read_chunked(owner.max_body)
        if not has_length:
            return None
        if not lengths or any(not v.isdigit() or not v.isascii() for v in lengths):
            raise _Refusal(400, f"Content-Length {', '.join(lengths)!r} is not a number")
        if len({int(v) for v in lengths}) > 1:
            raise _Refusal(400, f"conflicting Content-Length values {', '.join(lengths)}")
        length = int(lengths[0])
        if length > owner.max_body:
            raise _Refusal(413, f"the body of {length} bytes exceeds the limit of {owner.max_body}")
        self._continue()
        return self._read_exactly(length)

    def _continue(self) -> None:
        """``Expect: 100-continue``: the head is acceptable, the client may send its body."""
        if self.request_version == "HTTP/1.1" and "100-continue" in (
            v.lower() for v in self._values("Expect")
        ):
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _read_exactly(self, length: int) -> bytes:
        data = self.rfile.read(length) if length else b""
        if len(data) < length:  # the client closed its end first: nothing is acted on
            raise _Refusal(400, f"the body ended after {len(data)} of {length} bytes")
        return data

    def _read_chunked(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(4097)
            if not line.endswith(b"\n"):
                raise _Refusal(400, "bad or missing chunk size line in a chunked body")
            digits = line.split(b";", 1)[0].strip(b" \t\r\n").decode("latin-1")
            if not digits or len(digits) > 16 or any(c not in _HEX for c in digits):
                raise _Refusal(400, f"bad chunk size {digits[:40]!r} in a chunked body")
            size = int(digits, 16)
            if size == 0:
                break
            total += size
            if total > limit:
                raise _Refusal(413, f"the chunked body exceeds the limit of {limit} bytes")
            chunks.append(self._read_exactly(size))
            if self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise _Refusal(400, "a chunk is not followed by CRLF")
        size = 0
        while True:  # trailer fields: read and dropped, within the header limit
            line = self.rfile.readline(MAX_HEADER_BYTES + 1)
            size += len(line)
            if size > MAX_HEADER_BYTES:
                raise _Refusal(431, f"the trailers are larger than {MAX_HEADER_BYTES} bytes")
            if not line.endswith(b"\n"):
                raise _Refusal(400, "a chunked body ended before its last CRLF")
            if line in (b"\r\n", b"\n"):
                return b"".join(chunks)

    # -- answering -------------------------------------------------------------------------

    def _serve(self, body: bytes | None) -> None:
        owner = self.server.owner
        target = self.path
        if "://" in target:  # absolute-form (a proxy-style request line)
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not target.startswith("/"):
            self._refuse(400, f"request target {self.path!r} is not a path")
            return
        # any method (a token, checked with the request line) goes to the fake, TRACE and
        # BREW too: the vendor answers it in its own envelope and the call is journaled,
        # exactly as in-process
        request = Request(self.command, owner.url + target, self.fields, body, served=True)
        what = f"{self.command} {target}"
        response: Response | None
        path = urlsplit(target).path
        try:
            # -- control plane: /__fakeruns and below, before any vendor routing ----------
            if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
                response = owner.control(request, path)
            else:
                response = owner.fake.handle(request)
        except Exception as exc:  # the fake failed: answer 500 and keep it for the test
            response = owner.bug_response(request, what, exc)
        else:
            if response is None:
                response = owner.outside_vendors(target)
            delay = _delay(response)
            owner.log(
                f"{what} -> {response.error or response.status}"
                + (f" (delay {delay:g} s)" if delay else "")
            )
        self._deliver(response)

    def _deliver(self, response: Response) -> None:
        """Play ``response`` on the socket: its delay, then its answer or transport fault."""
        stopping = self.server.owner.stopping
        delay = _delay(response)
        if response.error == "timeout":
            self._hold()
            self.close_connection = True
        elif response.error == "slow_body":
            self._send(response, dribble=delay)
        elif delay and stopping.wait(delay):
            self.close_connection = True  # the server is stopping: no answer
        elif response.error == "connection":
            self._reset()
        else:
            self._send(response)

    def _refuse(self, status: int, message: str) -> None:
        """Answer a request that is not served (bad framing, limits), then close the connection,
        draining what the client still sends so that it reads this answer."""
        self.server.owner.log(f"{self.requestline[:200] or '-'} -> {status} ({message})")
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._send(_plain(status, message))
            self._linger()

    def _linger(self) -> None:
        conn = self.connection
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(LINGER_IDLE_SECONDS)
        drained = 0
        with contextlib.suppress(OSError):
            while drained < LINGER_MAX_BYTES:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                drained += len(chunk)

    def _reset(self) -> None:
        """``error="connection"``: abort the connection (RST), no byte of answer."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        self.server.owner.reset_on_close(self.connection)
        self.close_connection = True

    def _send(self, response: Response, dribble: float | None = None) -> None:
        """Status line, headers, body; ``dribble``: the body in pieces across that many
        seconds (the head goes out at once)."""
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
        elif self.command == "HEAD" and "Content-Length" in response.headers:
            # the core answers HEAD with the GET's headers, its length among them (RFC 9110)
            lines.append(f"Content-Length: {response.headers['Content-Length']}")
        else:
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD":
            body = b""
        if dribble is None or not body:
            self.wfile.write(head + body)
            return
        self.wfile.write(head)
        pieces = min(len(body), SLOW_BODY_PIECES)
        step = -(-len(body) // pieces)
        stopping = self.server.owner.stopping
        for start in range(0, len(body), step):
            if dribble and stopping.wait(dribble / pieces):
                self.close_connection = True  # the server is stopping: the body stays cut
                return
            self.wfile.write(body[start : start + step])

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
        if self.owner.closed(request):  # error="connection": close() alone sends the RST
            self.close_request(request)
        else:
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.owner.log(f"error on a connection from {client_address}:\n{traceback.format_exc()}")


class _Server6(_Server):
    address_family = socket.AF_INET6


def _plain(status: int, message: str) -> Response:
    obj = {"message": message}
    return Response(status, {"Content-Type": "application/json"}, dump_json(obj), obj)


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of a chain (the handler's bug below the core's wrapper)."""
    seen = {id(exc)}
    while True:
        inner = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        if inner is None or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


@dataclass
class Bug:
    """One distinct exception raised inside the fake: where, its traceback, the requests."""

    number: int
    summary: str
    traceback: str
    requests: list[str] = field(default_factory=list)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class FakeRunsServer:
    """``fake`` served over HTTP on ``host:port`` (port 0: the OS picks a free one).

    Binding happens in the constructor, so a port that cannot be bound fails at once with a
    ``FakeRunsError``. ``start()`` serves from a daemon thread; ``stop()`` returns in well under
    a second, closing open and held connections and ending delayed answers.

    ``max_body``: the largest request body accepted (bytes; larger: 413 before it is read).
    ``idle_timeout``: seconds a connection may send nothing before it is closed.
    ``control``: answers every request for ``/__fakeruns`` and below, ``(request, path) ->
    Response``; by default 404.
    """

    def __init__(
        self,
        fake: FakeRuns,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        hold_seconds: float = DEFAULT_HOLD_SECONDS,
        log: IO[str] | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        admin_token: str | None = None,
    ) -> None:
        from ._control import ControlPlane, is_loopback

        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 0:
            raise FakeRunsError(f"max_body={max_body!r}: give a number of bytes >= 0")
        if (
            isinstance(idle_timeout, bool)
            or not isinstance(idle_timeout, (int, float))
            or not idle_timeout > 0
        ):
            raise FakeRunsError(f"idle_timeout={idle_timeout!r}: give a number of seconds > 0")
        self.fake = fake
        # /__fakeruns: open on loopback; elsewhere off unless an admin token is given
        self.control = ControlPlane(fake, token=admin_token, enabled=is_loopback(host))
        self.hold_seconds = hold_seconds
        self.max_body = max_body
        self.idle_timeout = float(idle_timeout)
        self.errors: list[tuple[str, BaseException, str]] = []
        self.bugs: dict[tuple[str, ...], Bug] = {}
        self.stopping = threading.Event()  # set by stop(): delayed answers end at once
        self._log = log
        self._lock = threading.Lock()
        self._connections: dict[Any, threading.Thread] = {}
        self._resets: set[int] = set()
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
            self.stopping.clear()
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": POLL_INTERVAL},
                name=f"fakeruns-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
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

    def closed(self, conn: Any) -> bool:
        """Forget ``conn``; True when it is to be reset (closed with RST, no FIN first)."""
        with self._lock:
            self._connections.pop(conn, None)
            if id(conn) in self._resets:
                self._resets.discard(id(conn))
                return True
            return False

    def reset_on_close(self, conn: Any) -> None:
        with self._lock:
            self._resets.add(id(conn))

    def bug_response(self, request: Request, what: str, exc: BaseException) -> Response:
        """The answer to a request that made the fake raise: the vendor's 500 envelope where
        the request was under a vendor root, else a JSON message; logged compactly."""
        bug, first = self.record_error(what, exc)
        response: Response | None = None
        with contextlib.suppress(Exception):  # the envelope itself failing: a plain 500
            found = self.fake.locate(request.urlparts)
            if found is not None:
                vendor, path = found
                response = vendor.definition.error(Context(request, vendor, path), 500, None)
        if response is None:
            response = _plain(500, f"pytest-fakeruns: the fake raised {bug.summary}")
        response.headers["X-Fakeruns-Error"] = (
            _one_line(bug.summary, 200).encode("latin-1", "replace").decode("latin-1")
        )
        line = f"{what} -> 500 (bug #{bug.number} in the fake: {bug.summary})"
        self.log(line + ("\n" + bug.traceback if first else ""))
        return response

    def record_error(self, what: str, exc: BaseException) -> tuple[Bug, bool]:
        """Keep ``exc`` for the test's teardown; (its bug, True the first time it is seen).

        Two requests hitting the same line with the same exception type are one bug."""
        root = _root_cause(exc)
        frames = traceback.extract_tb(root.__traceback__)
        where = (frames[-1].filename, str(frames[-1].lineno)) if frames else (str(root),)
        key = (type(root).__module__, type(root).__qualname__, *where)
        with self._lock:
            bug = self.bugs.get(key)
            first = bug is None
            if bug is None:
                text = "".join(traceback.format_exception(root, chain=False))
                summary = _one_line(f"{type(root).__name__}: {root}")
                bug = self.bugs[key] = Bug(len(self.bugs) + 1, summary, text)
            bug.requests.append(what)
            self.errors.append((what, exc, bug.traceback))
        return bug, first

    def error_report(self) -> str:
        with self._lock:
            bugs = list(self.bugs.values())
            count = len(self.errors)
        lines = [
            f"pytest-fakeruns server: {count} request(s) raised inside the fake "
            f"({len(bugs)} distinct bug(s)):"
        ]
        for bug in bugs:
            shown = ", ".join(bug.requests[:5]) + (", ..." if len(bug.requests) > 5 else "")
            lines.append(f"- bug #{bug.number}: {bug.summary}")
            lines.append(f"  {len(bug.requests)} request(s): {shown}")
            lines.extend("    " + line for line in bug.traceback.rstrip().splitlines())
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
    max_body: int = DEFAULT_MAX_BODY,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    admin_token: str | None = None,
) -> Iterator[FakeRunsServer]:
    """Serve ``fake`` over HTTP: roots become ``<url>/<vendor>``, in-process transports pass
    those URLs through to the socket; everything is restored on exit."""
    server = FakeRunsServer(
        fake,
        host,
        port,
        hold_seconds=hold_seconds,
        log=log,
        max_body=max_body,
        idle_timeout=idle_timeout,
        admin_token=admin_token,
    )
    roots = {name: f"{server.url}/{name}" for name in fake.vendors}
    try:
        with fake.serving(roots, server.url), server:
            yield server
    finally:
        server.stop()
