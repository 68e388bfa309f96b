"""Stress: random valid and hostile requests against every vendor (not a test, not in CI).

    python bench/stress.py [--requests N] [--http-requests M] [--seed S] [--no-http] [--no-raw]

Method
------
1. One ``FakeRuns(seed=S)`` per phase, every vendor seeded with runs (``add_runs``) under known
   parents, and a few faults injected with small probabilities (503s, ``connection`` and
   ``malformed`` transport faults), so retries and fault paths are exercised too.
2. A generator seeded with S draws, per vendor, N requests: about half valid requests to the
   vendor's routes (known parents and runs, parameters in range, correct bodies and
   credentials), half hostile, made by mutating one or more parts of a valid request:
   integers too long for ``int()`` (4,301+ digits), negative/decimal/empty numbers, lone
   surrogates (``\\ud800`` escapes and raw UTF-8 surrogate bytes), JSON nested 101 to
   100,000 levels, ``NaN``/``Infinity``, huge (100 KB) and odd (``%``, ``%ED%A0%80``, NUL)
   query strings, repeated parameters, bad methods (PUT, DELETE, PATCH, OPTIONS, FOO) and
   HEAD, wrong content types, random paths under the vendor's root (random bytes
   percent-encoded, very long segments), random and malformed ``Authorization`` headers.
3. In-process phase: every request goes through ``requests`` (intercepted by the fake through
   ``responses``). Over-HTTP phase: the same generator (with ``--http-requests`` per vendor)
   through ``requests`` against ``pytest_fakeruns._server.serving(fake)`` on 127.0.0.1 only.
   Raw phase: malformed HTTP over plain sockets to that server (bad request lines, lying and
   duplicate ``Content-Length``, a short body then a half-close, huge chunk sizes, huge
   headers, an idle connection), each bounded by a 5 s read timeout, then a check that the
   server still answers.
4. Requests are sent one at a time, so each one's journal entry is ``fake.calls[-1]``:
   a request that reached the fake but added no entry is "missing from the journal".

Printed per vendor and phase: counts by status, uninjected 5xx (a 5xx whose journal entry has
no fault), exceptions raised into the client other than injected transport faults (and the
requests the client itself refused to send, e.g. invalid header values), calls missing from
the journal, and the slowest request. Over HTTP, a request whose request line passes the
server's documented limit (``MAX_REQUEST_LINE``, 8 KiB: the 100 KB query strings) is refused by
the server with 414 before it reaches the fake, so it is counted apart ("refused by the
server"), not as missing from the journal; any other answer to it is a finding. The raw phase
prints what the server answered to each malformed input. Exit status 1 when any uninjected
5xx, exception, missing entry or server limit not answered as documented was seen.
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import random
import socket
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import requests

from pytest_fakeruns import FakeRuns
from pytest_fakeruns._server import MAX_REQUEST_LINE, serving

VENDORS = ("workiva", "arcgis", "kinetic", "coalesce", "enterprise_tester")
LONG = "1" * 4301
FORM = "application/x-www-form-urlencoded"
# a Workiva $next cursor in the fake's own format whose offset has 4,301 digits
WORKIVA_LONG_CURSOR = (
    base64.urlsafe_b64encode(f"%24limit=1&%24offset={LONG}&%24asof={LONG}&%24script=s-1".encode())
    .rstrip(b"=")
    .decode()
)


@dataclass
class Req:
    method: str
    path: str  # below the vendor root, may carry a query
    headers: dict[str, str | bytes] = field(default_factory=dict)
    body: bytes | None = None
    params: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Tally:
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    uninjected_5xx: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    injected: int = 0
    refused_by_client: collections.Counter[str] = field(default_factory=collections.Counter)
    # over HTTP, requests past a documented server limit (docs/server.md, "Limits and
    # timeouts"): refused by the server, never reaching the fake, so never journaled
    refused_by_server: collections.Counter[str] = field(default_factory=collections.Counter)
    limit_broken: list[str] = field(default_factory=list)  # a limit not answered as documented
    exception_kinds: collections.Counter[str] = field(default_factory=collections.Counter)
    missing: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    sent: int = 0

    @property
    def bad(self) -> int:
        return (
            len(self.uninjected_5xx)
            + len(self.exceptions)
            + len(self.missing)
            + len(self.limit_broken)
        )


# -- what each vendor's valid requests look like --------------------------------------------


class Targets:
    """Known parents and runs of one seeded fake, per vendor."""

    def __init__(self, fake: FakeRuns) -> None:
        self.script = "s-1"
        self.task = "t1"
        self.source = "Playground"
        self.group, self.tree = "Documentation", "My First Tree"
        self.env = "2"
        self.assignment = "2264a622-2869-4ef8-8183-a0040106ca9d"
        fake.workiva.add_runs(40, script_id=self.script)
        fake.arcgis.add_runs(40, task_id=self.task)
        fake.kinetic.add_run(source=self.source, source_group=self.group, tree=self.tree)
        fake.kinetic.add_runs(40, source=self.source)
        fake.coalesce.add_runs(40, environment_id=self.env)
        fake.enterprise_tester.add_runs(40, assignment_id=self.assignment)
        self.fake = fake

    def run_ids(self, vendor: str) -> list[str]:
        return [str(r.id) for r in self.fake.vendor(vendor).runs()[:50]] or ["1"]


def basic(user: str = "jdoe", password: str = "secret") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def valid(rng: random.Random, vendor: str, t: Targets) -> Req:
    ids = t.run_ids(vendor)
    if vendor == "workiva":
        if rng.random() < 0.2:
            form = "grant_type=client_credentials&client_id=id&client_secret=s"
            if rng.random() < 0.5:
                return Req(
                    "POST",
                    "/iam/v1/oauth2/token",
                    {"Content-Type": FORM, "Authorization": basic("id", "s")},
                    b"grant_type=client_credentials",
                )
            return Req("POST", "/iam/v1/oauth2/token", {"Content-Type": FORM}, form.encode())
        params = [("$maxpagesize", str(rng.randint(1, 1000)))]
        return Req(
            "GET",
            f"/prototype/platform/scripts/{t.script}/runs",
            {"Authorization": "Bearer t0k3n", "X-Version": "2022-01-01"},
            None,
            params,
        )
    if vendor == "arcgis":
        base = f"/system/tasks/{t.task}/runs"
        choice = rng.random()
        fmt = rng.choice(["json", "pjson", "html"])
        if choice < 0.5:
            return Req(
                rng.choice(["GET", "POST"]),
                base,
                {},
                None,
                [
                    ("f", fmt),
                    ("token", "tok"),
                    ("start", str(rng.randint(0, 50))),
                    ("num", str(rng.randint(1, 100))),
                ],
            )
        run = rng.choice(ids)
        if choice < 0.85:
            return Req("GET", f"{base}/{run}", {}, None, [("f", fmt), ("token", "tok")])
        return Req(
            "POST",
            f"{base}/{run}/update",
            {"Content-Type": FORM},
            f"f=json&token=tok&status={rng.choice(['succeeded', 'failed'])}".encode(),
        )
    if vendor == "kinetic":
        head = {"Authorization": basic()}
        choice = rng.random()
        if choice < 0.5:
            body = json.dumps(
                {
                    "limit": rng.randint(1, 1000),
                    "offset": rng.randint(0, 50),
                    "include": rng.choice(["tasks", "tasks.messages", ""]),
                }
            )
            return Req(
                "GET",
                f"/app/api/v1/sources/{t.source}/runs",
                {**head, "Content-Type": "application/json"},
                body.encode(),
            )
        if choice < 0.8:
            return Req("GET", f"/app/api/v1/sources/{t.source}/runs/{rng.choice(ids)}", head)
        return Req(
            "POST",
            f"/app/api/v1/run-tree/{t.source}/{t.group}/{quote(t.tree)}",
            {**head, "Content-Type": "application/json"},
            json.dumps({"Requester": "jdoe", "n": rng.randint(0, 9)}).encode(),
        )
    if vendor == "coalesce":
        head = {"Authorization": "Bearer t0k3n", "Content-Type": "application/json"}
        choice = rng.random()
        creds = {"snowflakeUsername": "U", "snowflakePassword": "p"}
        if choice < 0.4:
            return Req(
                "GET",
                "/api/v1/runs",
                head,
                None,
                [
                    ("limit", str(rng.randint(1, 1000))),
                    ("detail", rng.choice(["true", "false"])),
                    ("orderBy", rng.choice(["id", "runStartTime"])),
                ],
            )
        if choice < 0.6:
            return Req("GET", f"/api/v1/runs/{rng.choice(ids)}", head)
        if choice < 0.75:
            return Req("GET", "/scheduler/runStatus", head, None, [("runCounter", rng.choice(ids))])
        if choice < 0.9:
            body = {
                "runDetails": {"environmentID": t.env},
                "userCredentials": creds,
                "parameters": {"k": "v"},
            }
            return Req("POST", "/scheduler/startRun", head, json.dumps(body).encode())
        path = rng.choice(["/scheduler/cancelRun", "/scheduler/rerun"])
        if path.endswith("cancelRun"):
            body = {"runID": int(rng.choice(ids)), "orgID": "o", "environmentID": t.env}
        else:
            body = {"runDetails": {"runID": rng.choice(ids)}, "userCredentials": creds}
        return Req("POST", path, head, json.dumps(body).encode())
    head = {"Authorization": basic("joeb")}
    choice = rng.random()
    runs = f"/api/scriptassignment/{t.assignment}/runs"
    if choice < 0.5:
        return Req(
            "GET",
            runs,
            head,
            None,
            [
                ("$top", str(rng.randint(0, 50))),
                ("$skip", str(rng.randint(0, 50))),
                (
                    "$filter",
                    rng.choice(
                        [
                            "ScriptVersion eq 2",
                            "Status eq 'Passed'",
                            "CreatedAt gt datetime'2026-01-01T00:00:00'",
                        ]
                    ),
                ),
                ("$inlinecount", "allpages"),
            ],
        )
    if choice < 0.8:
        return Req("GET", f"/api/scriptrun/{rng.choice(ids)}", head)
    return Req("POST", runs, {**head, "Content-Type": "application/json"}, b'{"TesterId":null}')


# -- hostile mutations ----------------------------------------------------------------------


def odd_text(rng: random.Random) -> str:
    return rng.choice(
        [
            LONG,
            "9" * rng.randint(4300, 6000),
            "-1",
            "1.5",
            "",
            " 5",
            "+5",
            "1e3",
            "0x10",
            "%ED%A0%80",
            "%",
            "%zz",
            "\x00",
            "a" * 100_000,
            "\u00e9\u4e2d",
            "null",
            "true",
            "'",
            "eq eq",
            "(((((",
            "datetime'2026-13-45T99:99:99'",
            "-" + LONG,
            "ScriptVersion eq " + LONG,
            "ScriptVersion eq -" + LONG,
            WORKIVA_LONG_CURSOR,
            "Status eq '" + "\u00e9" * 10 + "'",
            "not " * 5000 + "true",
        ]
    )


def nested(rng: random.Random) -> bytes:
    depth = rng.choice([101, 1000, 5000, 100_000])
    opener = rng.choice([b"[", b'{"a":'])
    closer = b"]" if opener == b"[" else b"}"
    return opener * depth + closer * (depth if rng.random() < 0.7 else 0)


def hostile_body(rng: random.Random) -> bytes:
    return rng.choice(
        [
            lambda: nested(rng),
            lambda: b'{"a":"\\ud800"}',
            lambda: b'{"parameters":{"a":"\\udc00"},"runDetails":{"environmentID":"2"}}',
            lambda: b'{"a":"\xed\xa0\x80"}',
            lambda: b'{"limit": ' + LONG.encode() + b"}",
            lambda: b'{"a": NaN}',
            lambda: b'{"a": 1e999}',
            lambda: b"\xff\xfe\x00",
            lambda: b"not json",
            lambda: b"<xml/>",
            lambda: b"grant_type=client_credentials&client_id=%ED%A0%80&client_secret=x",
            lambda: rng.randbytes(rng.randint(1, 2000)),
            lambda: b'"' + b"x" * 200_000 + b'"',
            lambda: b"[" + b",".join([b"1"] * 50_000) + b"]",
        ]
    )()


def hostile_path(rng: random.Random, path: str) -> str:
    segments = path.split("?")[0].split("/")
    i = rng.randrange(1, len(segments)) if len(segments) > 1 else 0
    segments[i] = rng.choice(
        [
            "".join(f"%{b:02X}" for b in rng.randbytes(rng.randint(1, 20))),
            "x" * rng.randint(1000, 9000),
            LONG,
            "..",
            ".",
            "%2F",
            "%00",
            "{id}",
            "",
        ]
    )
    return (
        "/".join(segments)
        if rng.random() < 0.8
        else "/"
        + "/".join(rng.choice(["api", "app", "system", "scheduler", "x", "%FF"]) for _ in range(4))
    )


def hostile_auth(rng: random.Random) -> str | bytes:
    return rng.choice(
        [
            "Basic",
            "Basic ",
            "Basic !!!",
            "Bearer",
            "Bearer ",
            "bearer x",
            "Token abc",
            "Basic " + base64.b64encode(b"\xed\xa0\x80:x").decode(),
            "Basic " + base64.b64encode(b"\xff:\xfe").decode(),
            "Basic " + base64.b64encode(b":").decode(),
            'OAuth oauth_consumer_key="k"',
            "Bearer " + "a" * 10_000,
            "Basic \u00e9\u00e9",
            "Bearer \x7f",
            b"Bearer t0k3n",
            b"Basic \xff\xfe",
            b"Bearer \xed\xa0\x80",
        ]
    )


def mutate(rng: random.Random, req: Req) -> Req:
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.2 and req.params:
            i = rng.randrange(len(req.params))
            req.params[i] = (req.params[i][0], odd_text(rng))
        elif kind < 0.3:
            name = rng.choice(
                [
                    "limit",
                    "offset",
                    "$top",
                    "$skip",
                    "$next",
                    "$maxpagesize",
                    "start",
                    "num",
                    "runCounter",
                    "startingFrom",
                    "$filter",
                    "%ED%A0%80",
                    "detail",
                    "$orderby",
                    "f",
                    "include",
                ]
            )
            req.params.append((name, odd_text(rng)))
        elif kind < 0.35:
            req.path += "?" + rng.choice(
                [
                    "%",
                    "a=%ED%A0%80",
                    "&&&==&",
                    "a" * 100_000,
                    "x=1&" * 2000,
                    "%00=%00",
                    ";;",
                    "a=\u00e9",
                ]
            )
        elif kind < 0.55:
            req.body = hostile_body(rng)
            if rng.random() < 0.7:
                req.headers["Content-Type"] = rng.choice(
                    ["application/json", FORM, "text/xml", "multipart/form-data"]
                )
        elif kind < 0.62:
            req.headers["Content-Type"] = rng.choice(
                [
                    "text/plain",
                    "application/xml",
                    "",
                    "application/json; charset=latin-1",
                    "*/*",
                    FORM + "; charset=utf-8",
                ]
            )
        elif kind < 0.72:
            req.method = rng.choice(
                ["PUT", "DELETE", "PATCH", "OPTIONS", "FOO", "HEAD", "TRACE", "POST", "GET"]
            )
        elif kind < 0.82:
            req.path = hostile_path(rng, req.path)
        elif kind < 0.92:
            if rng.random() < 0.3:
                req.headers.pop("Authorization", None)
            else:
                req.headers["Authorization"] = hostile_auth(rng)
        else:
            req.headers[rng.choice(["X-Version", "X-Esri-Authorization", "Accept", "X-Odd"])] = (
                rng.choice(["2026-01-01", "x", "\u00e9", "a" * 20_000, "2022-13-01"])
            )
    return req


def draw(rng: random.Random, vendor: str, t: Targets) -> Req:
    req = valid(rng, vendor, t)
    return req if rng.random() < 0.5 else mutate(rng, req)


# -- sending --------------------------------------------------------------------------------


def send(
    session: requests.Session, fake: FakeRuns, vendor: str, req: Req, tally: Tally, timeout: float
) -> None:
    root = fake.vendor(vendor).base_url
    label = f"{req.method} {req.path[:80]}"
    try:
        prepared = session.prepare_request(
            requests.Request(
                req.method,
                root + req.path,
                headers=req.headers,
                params=req.params or None,
                data=req.body,
            )
        )
    except (requests.exceptions.RequestException, UnicodeError, ValueError) as exc:
        tally.refused_by_client[type(exc).__name__] += 1  # never sent
        return
    if fake.locate(prepared.url or "") is None:  # the client normalised it out of the root
        tally.refused_by_client["left the vendor root"] += 1
        return
    served = not fake.in_process  # served: the server's limits apply before the fake
    request_line = len(f"{prepared.method} {prepared.path_url} HTTP/1.1\r\n".encode())
    over_limit = served and request_line > MAX_REQUEST_LINE
    before = len(fake.calls)
    started = time.perf_counter()
    failure = ""
    try:
        r = session.send(prepared, timeout=timeout, allow_redirects=False)
        status: int | None = r.status_code
    except (requests.exceptions.InvalidHeader, UnicodeError, ValueError) as exc:
        if len(fake.calls) == before:  # the client refused to send it: never reached the fake
            tally.refused_by_client[type(exc).__name__] += 1
            return
        status, failure = None, f"{type(exc).__name__}: {str(exc)[:160]}"
    except Exception as exc:
        status, failure = None, f"{type(exc).__name__}: {str(exc)[:160]}"
    elapsed = time.perf_counter() - started
    tally.sent += 1
    if elapsed > tally.slowest[0]:
        tally.slowest = (elapsed, label)
    added = fake.calls[before:]
    call = added[-1] if added else None
    if over_limit:
        if status == 414 and not added:
            tally.refused_by_server[f"414 request line over {MAX_REQUEST_LINE} bytes"] += 1
            tally.statuses["414"] += 1
        else:
            got = status if status is not None else failure[:60]
            tally.limit_broken.append(
                f"{label} -> {got}, {len(added)} journal entries (request line of "
                f"{request_line} bytes: 414 expected, not journaled)"
            )
        return
    if not added:
        tally.missing.append(f"{label} -> {status if status is not None else failure[:60]}")
    if status is None:
        if call is not None and call.fault is not None:
            tally.injected += 1
            tally.statuses["transport fault"] += 1
        else:
            tally.exceptions.append(f"{label}: {failure}")
            kind = failure.split(":")[0]
            tally.exception_kinds[f"{req.method} {kind}"] += 1
            tally.statuses["exception"] += 1
        return
    tally.statuses[str(status)] += 1
    if status >= 500 and (call is None or call.fault is None):
        body = r.content[:160]
        tally.uninjected_5xx.append(f"{label} -> {status} {body!r}")


def inject_faults(fake: FakeRuns, transport_errors: tuple[str, ...]) -> None:
    fake.inject(status=503, probability=0.01)
    for error in transport_errors:
        fake.inject(error=error, probability=0.005)


def run_phase(fake: FakeRuns, seed: int, count: int, timeout: float) -> dict[str, Tally]:
    targets = Targets(fake)
    tallies: dict[str, Tally] = {}
    with requests.Session() as session:
        for vendor in VENDORS:
            rng = random.Random(f"{seed}:{vendor}")
            tally = tallies[vendor] = Tally()
            for _ in range(count):
                send(session, fake, vendor, draw(rng, vendor, targets), tally, timeout)
    return tallies


def report(title: str, tallies: dict[str, Tally]) -> int:
    print(f"\n== {title}")
    bad = 0
    for vendor, t in tallies.items():
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(t.statuses.items()))
        print(f"{vendor:18} sent {t.sent}  statuses {{{statuses}}}")
        print(
            f"{'':18} uninjected 5xx {len(t.uninjected_5xx)}  exceptions {len(t.exceptions)}"
            f"  (injected transport faults {t.injected})  missing from journal "
            f"{len(t.missing)}  slowest {t.slowest[0] * 1000:.1f} ms {t.slowest[1]}"
        )
        if t.exception_kinds:
            print(f"{'':18} exceptions by method and type: {dict(t.exception_kinds)}")
        if t.refused_by_client:
            print(f"{'':18} refused by the client before sending: {dict(t.refused_by_client)}")
        if t.refused_by_server:
            print(
                f"{'':18} refused by the server, documented limit, not journaled: "
                f"{dict(t.refused_by_server)}"
            )
        for kind, items in (
            ("5xx", t.uninjected_5xx),
            ("exception", t.exceptions),
            ("missing", t.missing),
            ("server limit", t.limit_broken),
        ):
            for text in _distinct(items)[:5]:
                print(f"{'':18}   {kind}: {text}")
        bad += t.bad
    return bad


def _distinct(items: list[str]) -> list[str]:
    """One line per kind of finding (request label cut short, and what it got), with a count."""
    counts: collections.Counter[str] = collections.Counter()
    for item in items:
        if " -> " in item:
            label, _, got = item.partition(" -> ")
            counts[f"{label[:60]} -> {got[:60]}"] += 1
        else:
            label, _, got = item.partition(": ")
            counts[f"{label[:60]}: {got[:100]}"] += 1
    return [f"{key} (x{n})" for key, n in counts.most_common()]


# -- raw malformed HTTP ---------------------------------------------------------------------


def raw_cases(root_path: str) -> Iterator[tuple[str, Callable[[socket.socket], None]]]:
    get = f"GET {root_path}/api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
    post = (
        f"POST {root_path}/scheduler/startRun HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer t\r\nContent-Type: application/json\r\n"
    )
    body = (
        b'{"runDetails":{"environmentID":"2"},"userCredentials":'
        b'{"snowflakeUsername":"u","snowflakePassword":"p"}}'
    )

    def sender(data: bytes, half_close: bool = False) -> Callable[[socket.socket], None]:
        def go(sock: socket.socket) -> None:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)

        return go

    yield "bad request line", sender(b"GARBAGE\r\n\r\n")
    yield "request line without version", sender(f"GET {root_path}/api/v1/runs\r\n\r\n".encode())
    yield "HTTP/9.9", sender(f"GET {root_path}/api/v1/runs HTTP/9.9\r\n\r\n".encode())
    yield "binary request line", sender(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")
    yield "request line 70 KB", sender(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
    yield "header 100 KB", sender((get + "X-Big: " + "a" * 100_000 + "\r\n\r\n").encode())
    yield (
        "300 headers",
        sender((get + "".join(f"X-{i}: v\r\n" for i in range(300)) + "\r\n").encode()),
    )
    yield (
        "two different Content-Length",
        sender(
            (post + f"Content-Length: {len(body)}\r\nContent-Length: 3\r\n\r\n").encode() + body
        ),
    )
    yield "Content-Length not a number", sender((post + "Content-Length: abc\r\n\r\n").encode())
    yield "negative Content-Length", sender((post + "Content-Length: -5\r\n\r\n").encode())
    yield (
        "Content-Length 10^15",
        sender(
            (post + "Content-Length: 1000000000000000\r\n\r\n").encode() + body, half_close=True
        ),
    )
    yield (
        "short body then half-close",
        sender(
            (post + f"Content-Length: {len(body) + 50}\r\n\r\n").encode() + body, half_close=True
        ),
    )
    yield (
        "chunk size ffffffffffff",
        sender(
            (post + "Transfer-Encoding: chunked\r\n\r\n").encode() + b"ffffffffffff\r\nabc",
            half_close=True,
        ),
    )
    yield (
        "chunk size not hex",
        sender((post + "Transfer-Encoding: chunked\r\n\r\n").encode() + b"zz\r\nabc\r\n0\r\n\r\n"),
    )
    yield (
        "both chunked and Content-Length",
        sender(
            (post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
            + f"{len(body):x}\r\n".encode()
            + body
            + b"\r\n0\r\n\r\n"
        ),
    )
    yield "header without colon", sender((get + "NoColonHere\r\n\r\n").encode())
    yield "bare LF line endings", sender(get.replace("\r\n", "\n").encode() + b"\n")
    yield (
        "absolute-form target",
        sender(
            f"GET http://evil.example{root_path}/api/v1/runs HTTP/1.1\r\nHost: x\r\n"
            "Authorization: Bearer t\r\n\r\n".encode()
        ),
    )
    yield "target not a path", sender(b"GET * HTTP/1.1\r\nHost: x\r\n\r\n")
    yield "idle connection (sends nothing)", lambda sock: None


def raw_phase(url: str, idle_wait: float) -> list[tuple[str, str, float]]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    assert host in ("127.0.0.1", "localhost"), host
    out = []
    for label, action in raw_cases("/coalesce"):
        started = time.perf_counter()
        answer = ""
        try:
            with socket.create_connection((host, port), timeout=5) as sock:
                action(sock)
                if label.startswith("idle"):
                    sock.settimeout(idle_wait)
                data = sock.recv(65536)
                answer = data.split(b"\r\n", 1)[0].decode("latin-1")[:100] or "(closed, no answer)"
        except TimeoutError:
            answer = "(no answer within the timeout)"
        except OSError as exc:
            answer = f"({type(exc).__name__}: {exc})"
        out.append((label, answer, time.perf_counter() - started))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="per vendor, in-process")
    parser.add_argument("--http-requests", type=int, default=2_500, help="per vendor, HTTP")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-raw", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    bad = 0

    started = time.perf_counter()
    with FakeRuns(seed=args.seed, strict=False) as fake:
        inject_faults(fake, ("connection", "timeout", "malformed"))
        tallies = run_phase(fake, args.seed, args.requests, timeout=10.0)
        journaled = len(fake.calls)
    bad += report(
        f"in-process, {args.requests} requests per vendor, seed {args.seed} "
        f"({time.perf_counter() - started:.1f} s, {journaled} journal entries)",
        tallies,
    )

    if not args.no_http:
        started = time.perf_counter()
        with (
            FakeRuns(seed=args.seed, strict=False) as fake,
            serving(fake, "127.0.0.1", hold_seconds=0.2) as server,
        ):
            inject_faults(fake, ("connection", "malformed"))
            tallies = run_phase(fake, args.seed, args.http_requests, timeout=10.0)
            bad += report(
                f"over HTTP ({server.url}), {args.http_requests} requests per "
                f"vendor ({time.perf_counter() - started:.1f} s)",
                tallies,
            )
            if not args.no_raw:
                print("\n== raw malformed HTTP (127.0.0.1)")
                for label, answer, took in raw_phase(server.url, idle_wait=3.0):
                    print(f"{label:34} -> {answer}  [{took:.2f} s]")
                check = requests.get(
                    fake.coalesce.base_url + "/api/v1/runs",
                    headers={"Authorization": "Bearer t"},
                    timeout=10,
                )
                print(f"{'afterwards, a valid request':34} -> {check.status_code}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
