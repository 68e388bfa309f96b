"""The control plane: ``<url>/__fakeruns/api`` (JSON), the dashboard and the OpenAPI documents.

Everything here drives the fake through its public Python surface (``FakeRuns``, ``VendorFake``,
``Run``, ``Fault``): lifecycle, faults and the journal exist once, in the core. Bodies are
checked in full before anything is applied; writes that could fail half-way are first tried
on a scratch fake with the same vendors, so a bad request changes nothing.
"""

from __future__ import annotations

import datetime as _dt
import hmac
import inspect
import ipaddress
import json
from collections.abc import Callable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ._errors import FakeRunsError, InvalidTransition
from ._http import Request, Response, dump_json

if TYPE_CHECKING:
    from ._fake import FakeRuns
    from ._faults import Fault
    from ._journal import Call
    from ._run import Run
    from ._vendor_fake import VendorFake

ROOT = "/__fakeruns"
API = ROOT + "/api"
RUN_ACTIONS = ("advance", "advance_to", "fail", "cancel", "hold", "release")
# the keys each action's body may carry (advance_to's is required)
_ACTION_KEYS: dict[str, tuple[str, ...]] = {"advance_to": ("state",), "fail": ("reason",)}


class ControlError(Exception):
    """An answer other than success: its status and message (the Python exception's words)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def is_loopback(host: str) -> bool:
    """True for ``localhost``, any 127.0.0.0/8 address, ``::1`` (and IPv4-mapped loopback)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def iso(moment: _dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def parse_iso(value: object, what: str) -> _dt.datetime:
    """An aware UTC datetime from an ISO 8601 string (``Z`` accepted); FakeRunsError otherwise."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = _dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=_dt.timezone.utc)
            return moment.astimezone(_dt.timezone.utc)
    raise FakeRunsError(
        f"{what} must be an ISO 8601 instant like 2026-12-03T10:00:00Z, not {value!r}"
    )


def run_json(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "vendor": run.vendor,
        "state": str(run.state),
        "status": run.status,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "ended_at": iso(run.ended_at),
        "json": run.to_json(),
    }


def keyword_names(function: Callable[..., Any]) -> list[str]:
    """The parameters ``function`` takes by name (what a JSON body may carry)."""
    return [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def check_keys(body: Mapping[str, Any], allowed: list[str], what: str) -> None:
    unknown = [k for k in body if k not in allowed]
    if unknown:
        raise FakeRunsError(
            f"unknown {what} key(s) {', '.join(map(repr, unknown))}; allowed: " + ", ".join(allowed)
        )


def fault_kwargs(fake: FakeRuns, body: object, what: str = "fault") -> dict[str, Any]:
    """``inject()`` keywords from a JSON object: names checked against ``inject``'s own."""
    if not isinstance(body, dict):
        raise FakeRunsError(f"a {what} is a JSON object of inject() keywords, not {body!r}")
    check_keys(body, keyword_names(fake.inject), what)
    kwargs = dict(body)
    if isinstance(kwargs.get("delay"), list):  # JSON has no tuple: [low, high]
        kwargs["delay"] = tuple(kwargs["delay"])
    return kwargs


def deprecate_kwargs(vendor: VendorFake, body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise FakeRunsError(f"a deprecation is a JSON object of deprecate() keywords, not {body!r}")
    check_keys(body, keyword_names(vendor.deprecate), "deprecate()")
    if "deprecated_at" not in body:
        raise FakeRunsError("deprecate() needs deprecated_at (an ISO 8601 instant)")
    kwargs = dict(body)
    for name in ("deprecated_at", "sunset_at"):
        if kwargs.get(name) is not None:
            kwargs[name] = parse_iso(kwargs[name], name)
    return kwargs


def scratch_fake(fake: FakeRuns) -> FakeRuns:
    """A fresh fake with ``fake``'s vendors, seed, progression and instant: try writes on it."""
    from ._fake import FakeRuns

    plain = FakeRuns(seed=fake.seed, progression=fake.progression)
    extra = [v.definition for name, v in fake.vendors.items() if name not in plain.vendors]
    scratch = (
        FakeRuns(seed=fake.seed, progression=fake.progression, vendors=extra) if extra else plain
    )
    scratch.clock.set(fake.clock.now())
    return scratch


def add_runs_to(vendor: VendorFake, body: Mapping[str, Any]) -> Run | list[Run]:
    """``add_runs(count, ...)`` when the body has ``count``, else ``add_run(...)``."""
    fields = dict(body)
    if "count" in fields:
        return vendor.add_runs(fields.pop("count"), **fields)
    return vendor.add_run(**fields)


class ControlPlane:
    """Answers ``/__fakeruns`` and everything below it for one fake.

    ``enabled`` is False when the server is bound beyond loopback: the control plane then
    answers 404, unless a ``token`` is set; with a token every request needs
    ``Authorization: Bearer <token>`` (401 otherwise), wherever the server is bound.
    """

    def __init__(self, fake: FakeRuns, token: str | None = None, enabled: bool = True) -> None:
        if token is not None and (not isinstance(token, str) or not token):
            raise FakeRunsError("the admin token must be a non-empty string")
        self.fake = fake
        self.token = token
        self.enabled = enabled
        self._faults: dict[str, Fault] = {}  # id -> fault, in injection order
        self._kwargs: dict[str, dict[str, Any]] = {}  # id -> the keywords it was injected with
        self._all: dict[str, Fault] = {}  # removed ones too: a journal entry keeps its id
        self._next_id = 1

    def __call__(self, request: Request, path: str) -> Response:
        return self.answer(request, path)

    # -- entry point -----------------------------------------------------------------------

    def answer(self, request: Request, path: str) -> Response:
        """The answer to ``request``, whose path (below the server root) is ``path``."""
        path = path.split("?", 1)[0]
        try:
            self._admit(request)
            if path == ROOT:
                return Response(308, {"Location": ROOT + "/"})
            if path == ROOT + "/":
                self._method(request, "GET")
                return _html(dashboard_html())
            if path.startswith(ROOT + "/openapi/"):
                self._method(request, "GET")
                return self._openapi(path[len(ROOT + "/openapi/") :])
            if path == API or path.startswith(API + "/"):
                with self.fake.lock:
                    return self._api(
                        request, [unquote(p) for p in path[len(API) :].split("/") if p]
                    )
            raise ControlError(
                404,
                f"no control route {path}; the admin API is under {API}, the dashboard at {ROOT}/",
            )
        except ControlError as err:
            return _error(err.status, err.message, err.headers)
        except InvalidTransition as exc:
            return _error(409, str(exc))
        except FakeRunsError as exc:
            return _error(400, str(exc))
        except KeyError as exc:
            return _error(404, str(exc.args[0]) if exc.args else "not found")

    def _admit(self, request: Request) -> None:
        if self.token is not None:
            given = request.headers.get("Authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                value.strip().encode(), self.token.encode()
            ):
                raise ControlError(
                    401,
                    "the control plane needs Authorization: Bearer <token> (the token given "
                    "to fakeruns serve --admin-token)",
                    {"WWW-Authenticate": 'Bearer realm="fakeruns"'},
                )
        elif not self.enabled:
            raise ControlError(
                404,
                "the control plane is off: this server is bound beyond loopback; start it "
                "with --admin-token TOKEN to turn it on",
            )

    @staticmethod
    def _method(request: Request, *allowed: str) -> None:
        method = "GET" if request.method == "HEAD" else request.method
        if method not in allowed:
            raise ControlError(
                405,
                f"{request.method} is not allowed here; use " + " or ".join(allowed),
                {"Allow": ", ".join(allowed)},
            )

    # -- the admin API ---------------------------------------------------------------------

    def _api(self, request: Request, parts: list[str]) -> Response:
        fake = self.fake
        if not parts:
            self._method(request, "GET")
            return _json(self.state())
        head, rest = parts[0], parts[1:]
        if head == "reset" and not rest:
            self._method(request, "POST")
            _body(request, {})
            fake.reset()
            self._faults.clear()
            self._kwargs.clear()
            self._all.clear()
            return Response(204)
        if head == "clock" and not rest:
            self._method(request, "POST")
            return _json(self._clock(_body(request)))
        if head == "scenario" and not rest:
            self._method(request, "POST")
            from ._scenario import load_scenario

            load_scenario(fake, _body(request), name="scenario", plane=self)
            return Response(204)
        if head == "faults":
            return self._faults_route(request, rest)
        if head == "chaos" and not rest:
            self._method(request, "POST")
            kwargs = _body(request)
            check_keys(kwargs, keyword_names(fake.chaos), "chaos")
            fault = fake.chaos(**kwargs)
            fault_id = self._register(fault)
            return _json(self.fault_json(fault_id), 201)
        if head == "calls" and not rest:
            self._method(request, "GET")
            return _json(self.calls(request.query))
        if head == "vendors" and rest:
            return self._vendor_route(request, fake.vendor(rest[0]), rest[1:])
        raise ControlError(
            404,
            f"no admin route /{'/'.join(parts)} below {API}; routes: "
            "/, /reset, /clock, /scenario, /vendors/{vendor}/runs, "
            "/vendors/{vendor}/runs/{id}[/{action}], "
            "/vendors/{vendor}/deprecate, /faults[/{id}], /chaos, /calls",
        )

    def state(self) -> dict[str, Any]:
        fake = self.fake
        vendors = {}
        for name, vendor in fake.vendors.items():
            vendors[name] = {
                "base_url": vendor.base_url,
                "runs": len(vendor.runs()),
                "deprecations": [
                    {
                        "deprecated_at": iso(d.deprecated_at),
                        "sunset_at": iso(d.sunset_at),
                        "link": d.link,
                        "path": d.path,
                    }
                    for d in vendor.deprecations
                ],
            }
        return {
            "seed": fake.seed,
            "now": iso(fake.clock.now()),
            "progression": fake.progression,
            "vendors": vendors,
        }

    def _clock(self, body: dict[str, Any]) -> dict[str, Any]:
        if len(body) != 1 or next(iter(body)) not in ("advance", "set"):
            raise FakeRunsError(
                'the clock takes {"advance": seconds} or {"set": "<ISO 8601>"}, not '
                + json.dumps(body)
            )
        clock = self.fake.clock
        if "advance" in body:
            clock.advance(body["advance"])
        else:
            clock.set(parse_iso(body["set"], "set"))
        return {"now": iso(clock.now())}

    def _vendor_route(self, request: Request, vendor: VendorFake, parts: list[str]) -> Response:
        if parts == ["runs"]:
            self._method(request, "GET", "POST")
            if request.method == "POST":
                body = _body(request)
                add_runs_to(scratch_fake(self.fake).vendor(vendor.name), _trial(body))
                made = add_runs_to(vendor, body)
                shown = [run_json(r) for r in made] if isinstance(made, list) else run_json(made)
                return _json(shown, 201)
            return _json([run_json(r) for r in vendor.runs()])
        if parts == ["deprecate"]:
            self._method(request, "POST")
            vendor.deprecate(**deprecate_kwargs(vendor, _body(request)))
            return Response(204)
        if len(parts) == 2 and parts[0] == "runs":
            self._method(request, "GET")
            return _json(run_json(vendor.get(parts[1])))
        if len(parts) == 3 and parts[0] == "runs":
            self._method(request, "POST")
            return _json(run_json(self._act(vendor.get(parts[1]), parts[2], _body(request))))
        raise ControlError(
            404,
            f"no admin route for vendor {vendor.name}: /{'/'.join(parts)}; "
            "routes: runs, runs/{id}, runs/{id}/{action}, deprecate",
        )

    @staticmethod
    def _act(run: Run, action: str, body: dict[str, Any]) -> Run:
        if action not in RUN_ACTIONS:
            raise ControlError(
                404, f"unknown run action {action!r}; actions: " + ", ".join(RUN_ACTIONS)
            )
        allowed = list(_ACTION_KEYS.get(action, ()))
        check_keys(body, allowed, f"{action} body")
        if action == "advance_to":
            if "state" not in body:
                raise FakeRunsError('advance_to takes {"state": "<state or vendor word>"}')
            return run.advance_to(body["state"])
        if action == "fail":
            reason = body.get("reason")
            if reason is not None and not isinstance(reason, str):
                raise FakeRunsError(f"fail's reason is a string, not {reason!r}")
            return run.fail(reason=reason)
        method: Callable[[], Run] = getattr(run, action)
        return method()

    # -- faults ----------------------------------------------------------------------------

    def inject(self, kwargs: dict[str, Any]) -> tuple[str, Fault]:
        """``fake.inject(**kwargs)``, remembered under a new id."""
        fault = self.fake.inject(**kwargs)
        return self._register(fault, kwargs), fault

    def _register(self, fault: Fault, kwargs: dict[str, Any] | None = None) -> str:
        for known_id, known in self._all.items():
            if known is fault:
                return known_id
        fault_id = str(self._next_id)
        self._next_id += 1
        self._faults[fault_id] = self._all[fault_id] = fault
        if kwargs is None:
            kwargs = fault.keywords()
        self._kwargs[fault_id] = _jsonable(kwargs)
        return fault_id

    def fault_json(self, fault_id: str) -> dict[str, Any]:
        fault = self._faults[fault_id]
        return {
            "id": fault_id,
            "hits": fault.hits,
            "active": bool(fault.active),
            **self._kwargs[fault_id],
        }

    def _faults_route(self, request: Request, parts: list[str]) -> Response:
        if not parts:
            self._method(request, "GET", "POST")
            if request.method == "POST":
                kwargs = fault_kwargs(self.fake, _body(request))
                fault_id, _ = self.inject(kwargs)
                return _json(self.fault_json(fault_id), 201)
            for call in self.fake.calls:  # faults injected from Python show once they answer
                if call.fault is not None:
                    self._register(call.fault)
            return _json([self.fault_json(i) for i in self._faults])
        if len(parts) == 1:
            self._method(request, "GET", "DELETE")
            fault_id = parts[0]
            if fault_id not in self._faults:
                known = ", ".join(self._faults) or "none"
                raise KeyError(f"no fault with id {fault_id!r}; known ids: {known}")
            if request.method == "GET":
                return _json(self.fault_json(fault_id))
            fault = self._faults.pop(fault_id)
            del self._kwargs[fault_id]
            fault.remove()
            return Response(204)
        raise ControlError(404, "fault routes: /faults, /faults/{id}")

    # -- the journal -----------------------------------------------------------------------

    def calls(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        check_keys(query, ["vendor", "method", "path"], "calls filter")
        wanted = {k: (v or None) for k, v in query.items()}
        vendor, method, path = (wanted.get(k) for k in ("vendor", "method", "path"))
        if vendor is not None:
            self.fake.vendor(vendor)  # an unknown vendor: 404 naming the known ones
        return [
            self.call_json(call)
            for call in list(self.fake.calls)
            if call.matches(vendor, method, path)
        ]

    def call_json(self, call: Call) -> dict[str, Any]:
        fault = None if call.fault is None else self._register(call.fault)
        return {
            "vendor": call.vendor,
            "method": call.method,
            "url": call.url,
            "path": call.path,
            "query": dict(call.query),
            "status": call.status,
            "fault": fault,
            "delay": float(getattr(call, "delay", 0.0)),
        }

    # -- documents -------------------------------------------------------------------------

    def _openapi(self, name: str) -> Response:
        if not name.endswith(".json"):
            raise ControlError(
                404, f"OpenAPI documents are /__fakeruns/openapi/<vendor>.json, not {name!r}"
            )
        vendor = name[: -len(".json")]
        self.fake.vendor(vendor)
        from ._openapi import document

        return _json(document(self.fake, vendor))


# -- helpers -------------------------------------------------------------------------------


def _trial(body: dict[str, Any]) -> dict[str, Any]:
    """The body to try on a scratch fake: a few runs stand for many (every field applies to
    each); two keep ``add_runs``' own check of a repeated id."""
    trial = dict(body)
    count = trial.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count > 2:
        trial["count"] = 2
    return trial


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _body(request: Request, default: dict[str, Any] | None = None) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is ``{}``."""
    if not request.body or not request.body.strip():
        return {} if default is None else dict(default)
    try:
        body = json.loads(request.body)
    except ValueError as exc:
        raise FakeRunsError(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise FakeRunsError(f"the body is a JSON object, not {type(body).__name__}")
    if default is not None and body:
        check_keys(body, list(default), "body")
    return body


def _json(obj: Any, status: int = 200) -> Response:
    return Response(status, {"Content-Type": "application/json"}, dump_json(obj), obj)


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    response = _json({"error": message}, status)
    response.headers.update(headers or {})
    return response


def _html(text: str) -> Response:
    return Response(
        200,
        {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
        text.encode("utf-8"),
        None,
    )


def dashboard_html() -> str:
    return resources.files("pytest_fakeruns").joinpath("_dashboard.html").read_text("utf-8")
