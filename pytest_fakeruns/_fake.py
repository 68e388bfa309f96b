"""``FakeRuns``: every vendor faked behind one transport-neutral ``handle(request)``."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

from ._clock import Clock
from ._definition import Context, VendorDefinition
from ._deprecation import Deprecation
from ._errors import FakeRunsError
from ._faults import RETRY_AFTER_STATUSES, Fault, check_fault_args
from ._generator import FakerSource
from ._http import Request, Response
from ._journal import Call, assert_called
from ._router import NearMiss, Route, route_could_serve
from ._run import Run
from ._states import State
from ._vendor_fake import VendorFake

if TYPE_CHECKING:
    import responses as _responses

PROGRESSIONS = ("time", "poll", "manual")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True)
class Unmatched:
    """A request to a vendor root that no route matched."""

    vendor: str
    method: str
    url: str
    near: list[NearMiss]


@dataclass
class DeprecatedUse:
    vendor: str
    route: str
    deprecation: Deprecation


def _root_key(parts: SplitResult) -> tuple[str, str]:
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = str(parts.port) if parts.port is not None else _DEFAULT_PORTS.get(scheme, "")
    if _DEFAULT_PORTS.get(scheme) == port:
        port = ""
    return scheme, f"{host}:{port}" if port else host


RootIndex = dict[tuple[str, str], list[tuple[str, "VendorFake"]]]


def _locate_in(index: RootIndex, parts: SplitResult) -> tuple[VendorFake, str] | None:
    entries = index.get(_root_key(parts))
    if not entries:
        return None
    path = parts.path or "/"
    for prefix, vendor in entries:
        if not prefix:
            return vendor, path
        if path == prefix or path.startswith(prefix + "/"):
            return vendor, path[len(prefix) :] or "/"
    return None


class FakeRuns:
    """Every vendor, one clock, one journal, one set of faults; see the README for a tour."""

    def __init__(
        self,
        seed: int = 0,
        progression: str = "time",
        base_urls: Mapping[str, str] | None = None,
        strict: bool = True,
        hook: Any = None,
        vendors: Iterable[type[VendorDefinition] | VendorDefinition] = (),
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise FakeRunsError(f"seed must be an int, not {seed!r}")
        if progression not in PROGRESSIONS:
            raise FakeRunsError(
                f"progression={progression!r}; use one of " + ", ".join(PROGRESSIONS)
            )
        from .vendors import builtin_definitions

        self.seed = seed
        self.progression = progression
        self.strict = strict
        self.clock = Clock()
        self.lock = threading.RLock()
        self._hook = hook
        self._faker = FakerSource(seed)
        definitions = [*builtin_definitions(), *vendors]
        self._vendors: dict[str, VendorFake] = {}
        self._base_urls: dict[str, str] = {}
        for item in definitions:
            definition = item() if isinstance(item, type) else item
            if definition.name in self._vendors:
                raise FakeRunsError(f"two vendor definitions are named {definition.name!r}")
            self._vendors[definition.name] = VendorFake(self, definition, self._faker)
            self._base_urls[definition.name] = definition.default_base_url.rstrip("/")
        self._set_base_urls(base_urls or {})
        self.calls: list[Call] = []
        self.unmatched: list[Unmatched] = []
        self.deprecated_used: dict[tuple[str, str], DeprecatedUse] = {}
        self._faults: list[Fault] = []
        self._fault_rng = random.Random(f"{seed}:faults")
        self._exit: contextlib.ExitStack | None = None
        self._responses: _responses.RequestsMock | None = None
        self._moved_roots: RootIndex = {}  # the usual roots, while served over HTTP
        self.in_process = True  # False while served over HTTP: requests then use the socket
        self._server_url: str | None = None  # the HTTP server's root while served

    # -- vendors and roots -----------------------------------------------------------------

    @property
    def workiva(self) -> VendorFake:
        return self._vendors["workiva"]

    @property
    def arcgis(self) -> VendorFake:
        return self._vendors["arcgis"]

    @property
    def kinetic(self) -> VendorFake:
        return self._vendors["kinetic"]

    @property
    def coalesce(self) -> VendorFake:
        return self._vendors["coalesce"]

    @property
    def enterprise_tester(self) -> VendorFake:
        return self._vendors["enterprise_tester"]

    def vendor(self, name: str) -> VendorFake:
        try:
            return self._vendors[name]
        except KeyError:
            raise KeyError(
                f"unknown vendor {name!r}; known vendors: " + ", ".join(self._vendors)
            ) from None

    def __getattr__(self, name: str) -> VendorFake:
        # vendors added by packs are attributes too; only reached for unknown attributes
        vendors = self.__dict__.get("_vendors", {})
        if name in vendors:
            return vendors[name]  # type: ignore[no-any-return]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def vendors(self) -> dict[str, VendorFake]:
        return dict(self._vendors)

    def _set_base_urls(self, base_urls: Mapping[str, str]) -> None:
        for name, url in base_urls.items():
            if name not in self._vendors:
                raise FakeRunsError(
                    f"base_urls names unknown vendor {name!r}; known vendors: "
                    + ", ".join(self._vendors)
                )
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FakeRunsError(
                    f"base_urls[{name!r}] = {url!r} is not an absolute http(s) URL"
                )
            self._base_urls[name] = url.rstrip("/")
        self._index_roots()

    def _index_roots(self) -> None:
        index: RootIndex = {}
        for name, url in self._base_urls.items():
            parts = urlsplit(url)
            index.setdefault(_root_key(parts), []).append(
                (parts.path.rstrip("/"), self._vendors[name])
            )
        for entries in index.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._roots = index

    @property
    def url(self) -> str:
        """The HTTP server's root while served (``fake_runs_server``, ``fakeruns serve``)."""
        if self._server_url is None:
            raise FakeRunsError(
                "fake_runs.url exists while the fake is served over HTTP: use the "
                "fake_runs_server fixture (vendor roots are then <url>/<vendor name>)"
            )
        return self._server_url

    def _base_url(self, name: str) -> str:
        return self._base_urls[name]

    def locate(self, url: str | SplitResult) -> tuple[VendorFake, str] | None:
        """The vendor whose root ``url`` lies under, and the path below that root."""
        parts = urlsplit(url) if isinstance(url, str) else url
        return _locate_in(self._roots, parts)

    def intercepts(self, url: str) -> bool:
        """True when an in-process transport should answer ``url`` from the fake."""
        return self.in_process and self.locate(url) is not None

    # -- the transport-neutral entry point -------------------------------------------------

    def handle(self, request: Request) -> Response | None:
        """Answer ``request`` if it is addressed to a vendor root; None otherwise."""
        found = self.locate(request.urlparts)
        if found is None:
            return None
        vendor, path = found
        with self.lock:
            response, route, fault = vendor.dispatch(request, path)
            call = Call(
                vendor=vendor.name,
                method=request.method,
                url=request.url,
                path=path,
                query=request.query,
                headers=request.headers,
                body=request.body,
                status=0 if response.error in ("connection", "timeout") else response.status,
                response_headers=response.headers,
                response=response,
                fault=fault,
                route=route.template if route is not None else None,
            )
            self.calls.append(call)
        if self._hook is not None:
            self._hook.pytest_fakeruns_call(call=call)
        return response

    # -- faults ----------------------------------------------------------------------------

    def inject(
        self,
        status: int | None = None,
        *,
        error: str | None = None,
        vendor: str | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
        after: int = 0,
        probability: float = 1.0,
        retry_after: int = 1,
    ) -> Fault:
        """Answer matching calls with ``status`` (vendor envelope) or a transport ``error``."""
        check_fault_args(
            status, error, vendor, list(self._vendors), times, after, probability, retry_after
        )
        if method is not None or path is not None:
            self._check_scope(vendor, method, path)
        fault = Fault(
            self, status, error, vendor, method, path, times, after, float(probability),
            retry_after,
        )
        with self.lock:
            self._faults.append(fault)
        return fault

    def _check_scope(self, vendor: str | None, method: str | None, path: str | None) -> None:
        """A fault whose method or path no route has would never fire: say so now."""
        vendors = [self._vendors[vendor]] if vendor else list(self._vendors.values())
        wanted = method.upper() if method else None
        for candidate in vendors:
            for route in candidate.router.routes:
                if wanted is not None and route.method != wanted:
                    continue
                if path is None or route_could_serve(route, candidate.router, path):
                    return
        where = f"vendor {vendor!r}" if vendor else "any vendor"
        routes = sorted({str(r) for v in vendors for r in v.router.routes})
        raise FakeRunsError(
            f"inject(method={method!r}, path={path!r}) matches no route of {where}, so it "
            f"would never answer; paths are below the vendor root, for example: "
            + ", ".join(routes[:8])
        )

    def _drop_fault(self, fault: Fault) -> None:
        with self.lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def _pick_fault(self, vendor: str, method: str, path: str, template: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(vendor, method, path, template) and fault.take(self._fault_rng):
                return fault
        return None

    def _fault_response(self, fault: Fault, ctx: Context) -> Response:
        if fault.error in ("connection", "timeout"):
            return Response(0, error=fault.error)
        if fault.error == "malformed":
            # the usual answer, cut on its way back: a read moves nothing (poll mode), a
            # write has happened (the client cannot tell whether its POST went through)
            assert ctx.route is not None
            ctx.vendor._quiet_reads = True
            try:
                usual = ctx.vendor._answer(ctx, ctx.route)
            finally:
                ctx.vendor._quiet_reads = False
            cut = max(1, len(usual.body) // 2) if len(usual.body) > 1 else 0
            body = usual.body[:cut] if cut else b"{"
            return Response(200, usual.headers, body, None, error="malformed")
        assert fault.status is not None
        response = ctx.vendor.definition.error(ctx, fault.status, None)
        if fault.status in RETRY_AFTER_STATUSES:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    # -- journal ---------------------------------------------------------------------------

    def assert_called(
        self,
        vendor: str | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
    ) -> None:
        __tracebackhide__ = True
        with self.lock:
            calls = list(self.calls)
        assert_called(calls, vendor, method, path, times)

    def _record_unmatched(self, vendor: VendorFake, request: Request, path: str) -> None:
        near = vendor.router.near_misses(request.method, path)
        self.unmatched.append(Unmatched(vendor.name, request.method, request.url, near))

    def _record_deprecated(self, vendor: VendorFake, route: Route, dep: Deprecation) -> None:
        self.deprecated_used[(vendor.name, str(route))] = DeprecatedUse(
            vendor.name, str(route), dep
        )

    def _on_transition(self, run: Run, old: State, new: State) -> None:
        if self._hook is not None:
            self._hook.pytest_fakeruns_transition(run=run, old=old, new=new)

    # -- lifecycle of the fake itself ------------------------------------------------------

    def reset(self) -> None:
        """Empty runs, parents, faults and journal; clock back to now; defaults restored."""
        with self.lock:
            for vendor in self._vendors.values():
                vendor._reset()
            self._faults.clear()
            self._fault_rng = random.Random(f"{self.seed}:faults")
            self.calls.clear()
            self.unmatched.clear()
            self.clock.reset()

    @property
    def responses(self) -> _responses.RequestsMock:
        """The ``responses.RequestsMock`` in use: add the test's own mocks to it."""
        if self._responses is None:
            raise FakeRunsError(
                "fake_runs.responses exists while the fake is active: use the fake_runs "
                "fixture, or `with FakeRuns(...) as fake:`"
            )
        return self._responses

    def start(self) -> FakeRuns:
        """Intercept ``requests`` (through ``responses``) and ``httpx`` until ``stop()``."""
        if self._exit is not None:
            return self
        from ._transports import install_all

        stack = contextlib.ExitStack()
        try:
            self._responses = install_all(self, stack)
        except BaseException:
            stack.close()
            raise
        self._exit = stack
        return self

    def stop(self) -> None:
        if self._exit is not None:
            stack, self._exit = self._exit, None
            stack.close()
            self._responses = None

    def __enter__(self) -> FakeRuns:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @contextlib.contextmanager
    def _serving_roots(self, roots: Mapping[str, str]) -> Iterator[None]:
        """Point vendors at other roots for a while (the HTTP server's own URLs)."""
        saved = dict(self._base_urls)
        moved_index = self._roots
        self._set_base_urls(roots)
        self._moved_roots = moved_index
        try:
            yield
        finally:
            self._base_urls = saved
            self._moved_roots = {}
            self._index_roots()

    def moved(self, url: str) -> str | None:
        """While served over HTTP: the message for a request to a vendor's usual root."""
        found = _locate_in(self._moved_roots, urlsplit(url)) if self._moved_roots else None
        if found is None:
            return None
        vendor = found[0]
        return (
            f"pytest-fakeruns: {vendor.name} is served at {vendor.base_url} during this test "
            f"(fake_runs_server); {url} is not faked"
        )

    def __repr__(self) -> str:
        return f"<FakeRuns seed={self.seed} progression={self.progression!r}>"

    def load_scenario(self, source: object) -> None:
        """Apply a scenario file (a path or its dict); see docs/server.md "Scenario files"."""
        from ._scenario import load_scenario

        load_scenario(self, source)
