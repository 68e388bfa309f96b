"""``FakeRuns``: every vendor faked behind one transport-neutral ``handle(request)``."""

from __future__ import annotations

import contextlib
import difflib
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult

from ._clock import Clock
from ._definition import VendorDefinition
from ._errors import DeprecatedEndpointWarning, FakeRunsError
from ._faults import Fault, FaultBook
from ._generator import FakerSource
from ._http import Request, Response
from ._journal import Call, answered_call, assert_called
from ._outcome import DeprecatedUse, Outcome, Unmatched
from ._roots import Resolution, Roots
from ._run import Run
from ._shared import built_in, compiled
from ._states import State
from ._vendor_fake import TransitionObserver, VendorFake
from ._vendor_set import VendorSet

if TYPE_CHECKING:
    import responses as _responses

PROGRESSIONS = ("time", "poll", "manual")

__all__ = ["PROGRESSIONS", "DeprecatedUse", "FakeRuns", "Unmatched"]


def hook_observer(hook: Any) -> TransitionObserver | None:
    """The one observer of every run transition: the ``pytest_fakeruns_transition`` hook."""
    if hook is None:
        return None

    def observe(run: Run, old: State, new: State) -> None:
        caller = hook.pytest_fakeruns_transition
        if _has_impls(caller):
            caller(run=run, old=old, new=new)

    return observe


def _has_impls(caller: Any) -> bool:
    """False for a pluggy hook nobody implements: pluggy's call machinery costs microseconds
    even with no implementation. (Asked per call: a plugin may register one mid-session.)"""
    impls = getattr(caller, "get_hookimpls", None)
    return impls is None or bool(impls())


class FakeRuns:
    """Every vendor, one clock, one journal, one set of faults; see the README for a tour.

    A vendor is an attribute by its name (``fake.coalesce``), or ``fake.vendor(name)``.
    """

    def __init__(
        self,
        seed: int = 0,
        progression: str = "time",
        base_urls: Mapping[str, str] | None = None,
        strict: bool = True,
        hook: Any = None,
        vendors: Iterable[type[VendorDefinition] | VendorDefinition] = (),
        passthru: Iterable[str] = (),
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise FakeRunsError(f"seed must be an int, not {seed!r}")
        if progression not in PROGRESSIONS:
            raise FakeRunsError(
                f"progression={progression!r}; use one of " + ", ".join(PROGRESSIONS)
            )
        from ._registry import builtin_definitions

        self.seed = seed
        self.progression = progression
        self.strict = strict
        self.clock = Clock()
        self.lock = threading.RLock()
        self._hook = hook
        self._faker = FakerSource(seed)
        # one instance and router per definition class, shared by every fake (_shared.py)
        compiled_items = [compiled(item) for item in [*built_in(builtin_definitions), *vendors]]
        definitions = [definition for definition, _ in compiled_items]
        defaults: dict[str, str] = {}
        for definition in definitions:
            if definition.name in defaults:
                raise FakeRunsError(f"two vendor definitions are named {definition.name!r}")
            defaults[definition.name] = definition.default_base_url
        self._roots = Roots(defaults, passthru)
        observer = hook_observer(hook)
        self._vendors = VendorSet(
            {d.name: (d, router) for d, router in compiled_items},
            lambda d, router: VendorFake(self, d, self._faker, self._roots, observer, router),
            self.lock,
        )
        self._roots.set(base_urls or {})
        self.calls: list[Call] = []
        self.unmatched: list[Unmatched] = []
        self.deprecated_used: dict[tuple[str, str], DeprecatedUse] = {}
        self._faults = FaultBook(seed, self._vendors.routers(), self.lock)
        self._exit: contextlib.ExitStack | None = None
        self._installed: dict[str, Any] = {}  # transport name -> what installing it gave

    # -- vendors and roots -----------------------------------------------------------------

    def vendor(self, name: str) -> VendorFake:
        try:
            return self._vendors[name]
        except KeyError:
            raise KeyError(
                f"unknown vendor {name!r}; known vendors: " + ", ".join(self._vendors)
            ) from None

    def __getattr__(self, name: str) -> VendorFake:
        # every vendor (built-in or from a pack) is an attribute; only reached for names
        # that are not otherwise attributes
        vendors: Mapping[str, VendorFake] = self.__dict__.get("_vendors", {})
        if name in vendors:
            return vendors[name]
        hint = ""
        if vendors and not name.startswith("_"):
            known = [*vendors, *(n for n in dir(type(self)) if not n.startswith("_"))]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            hint += " (vendors: " + ", ".join(vendors) + ")"
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}{hint}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.__dict__.get("_vendors", {})})

    @property
    def vendors(self) -> dict[str, VendorFake]:
        return dict(self._vendors)

    @property
    def url(self) -> str:
        """The HTTP server's root while served (``fake_runs_server``, ``fakeruns serve``)."""
        if self._roots.server_url is None:
            raise FakeRunsError(
                "fake_runs.url exists while the fake is served over HTTP: use the "
                "fake_runs_server fixture (vendor roots are then <url>/<vendor name>)"
            )
        return self._roots.server_url

    @property
    def in_process(self) -> bool:
        """False while served over HTTP (in-process transports then use the socket)."""
        return self._roots.in_process

    @property
    def passthru(self) -> tuple[str, ...]:
        """URL prefixes outside the vendors that in-process transports let through."""
        return self._roots.passthru

    def locate(self, url: str | SplitResult) -> tuple[VendorFake, str] | None:
        """The vendor whose root ``url`` lies under, and the path below that root."""
        found = self._roots.locate(url)
        return None if found is None else (self._vendors[found[0]], found[1])

    def resolve(self, url: str, method: str = "GET") -> Resolution:
        """What an in-process transport does with ``url``: ask once, act on the answer."""
        return self._roots.resolve(method.upper(), url)

    def serving(
        self, roots: Mapping[str, str], server_url: str
    ) -> contextlib.AbstractContextManager[None]:
        """While served over HTTP at ``server_url``: vendors at ``roots``; in-process
        transports send requests to the server through the socket and refuse the usual
        roots. Restored on exit."""
        return self._roots.serving(roots, server_url)

    # -- the transport-neutral entry point -------------------------------------------------

    def handle(self, request: Request, resolution: Resolution | None = None) -> Response | None:
        """Answer ``request`` if it is addressed to a vendor root; None otherwise.

        ``resolution``: the transport's ``resolve()`` answer for it, when it asked already.
        """
        if resolution is not None and resolution.vendor is not None:
            vendor, path = self._vendors[resolution.vendor], resolution.path
        else:
            found = self.locate(request.urlparts)
            if found is None:
                return None
            vendor, path = found
        with self.lock:
            try:
                outcome = vendor.dispatch(request, path, self._faults)
            except Exception:  # a bug in the fake: journaled, then raised into the test
                call = self._record(
                    request, vendor.name, path, Outcome(vendor.bug_answer(request, path))
                )
                self._call_hook(call)
                raise
            call = self._record(request, vendor.name, path, outcome)
        self._call_hook(call)
        return outcome.response

    def _record(self, request: Request, vendor: str, path: str, outcome: Outcome) -> Call:
        response, route = outcome.response, outcome.route
        if route is None and outcome.near:
            self.unmatched.append(Unmatched(vendor, request.method, request.url, [*outcome.near]))
        dep = outcome.deprecation
        if route is not None and dep is not None:
            self.deprecated_used[(vendor, str(route))] = DeprecatedUse(vendor, str(route), dep)
            warnings.warn(
                DeprecatedEndpointWarning(
                    f"{vendor}: {route} is deprecated since {dep.deprecated_at.date()}"
                    + (f", sunset {dep.sunset_at.date()}" if dep.sunset_at else "")
                ),
                stacklevel=2,
            )
        call = answered_call(
            vendor,
            request.method,
            request.url,
            path,
            request.query,
            request.headers,
            request.body,
            0 if response.error in ("connection", "timeout") else response.status,
            response,
            outcome.fault,
            route.template if route is not None else None,
            response.delay,
        )
        self.calls.append(call)
        return call

    def _call_hook(self, call: Call) -> None:
        if self._hook is not None:
            caller = self._hook.pytest_fakeruns_call
            if _has_impls(caller):
                caller(call=call)

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
        delay: float | tuple[float, float] | None = None,
        sequence: Sequence[int | str | Mapping[str, Any] | None] | None = None,
    ) -> Fault:
        """Answer matching calls with ``status`` (vendor envelope) or a transport ``error``,
        after ``delay`` seconds (alone: a slow usual answer); or call by call from
        ``sequence`` (None: the usual answer; an int: a status; a str: an error; a dict:
        ``status``/``error``/``delay``/``retry_after``)."""
        return self._faults.inject(
            status,
            error=error,
            vendor=vendor,
            method=method,
            path=path,
            times=times,
            after=after,
            probability=probability,
            retry_after=retry_after,
            delay=delay,
            sequence=sequence,
        )

    def chaos(
        self,
        rate: float = 0.05,
        statuses: Sequence[int] = (429, 500, 503),
        errors: Sequence[str] = ("connection", "timeout"),
        vendor: str | None = None,
    ) -> Fault:
        """Random faults: each matching call, with probability ``rate``, is answered by a
        kind drawn uniformly from ``statuses`` + ``errors``, all from the seeded generator."""
        return self._faults.chaos(rate, statuses, errors, vendor)

    @property
    def faults(self) -> list[Fault]:
        """The faults in effect, in the order they are tried."""
        return list(self._faults)

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

    # -- lifecycle of the fake itself ------------------------------------------------------

    def reset(self) -> None:
        """Empty runs, parents, faults and journal; clock back to now; defaults restored."""
        with self.lock:
            for vendor in self._vendors.made():
                vendor._reset()
            self._faults.clear()
            self.calls.clear()
            self.unmatched.clear()
            self.clock.reset()

    @property
    def responses(self) -> _responses.RequestsMock:
        """The ``responses.RequestsMock`` in use: add the test's own mocks to it."""
        mock = self._installed.get("requests")
        if mock is None:
            raise FakeRunsError(
                "fake_runs.responses exists while the fake is active: use the fake_runs "
                "fixture, or `with FakeRuns(...) as fake:`"
            )
        return mock  # type: ignore[no-any-return]

    def start(self) -> FakeRuns:
        """Intercept ``requests`` (through ``responses``) and ``httpx`` until ``stop()``."""
        if self._exit is not None:
            return self
        from ._transports import install_all

        stack = contextlib.ExitStack()
        try:
            self._installed = install_all(self, stack)
        except BaseException:
            stack.close()
            raise
        self._exit = stack
        return self

    def stop(self) -> None:
        if self._exit is not None:
            stack, self._exit = self._exit, None
            stack.close()
            self._installed = {}

    def __enter__(self) -> FakeRuns:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<FakeRuns seed={self.seed} progression={self.progression!r}>"

    def load_scenario(self, source: object) -> None:
        """Apply a scenario file (a path or its dict); see docs/server.md "Scenario files"."""
        from ._scenario import load_scenario

        load_scenario(self, source)
