"""``VendorFake``: one vendor's store, lifecycle and routes, driven from Python and HTTP.

``dispatch`` answers one request and returns an :class:`~._outcome.Outcome`; it records
nothing and never calls back into ``FakeRuns`` (``FakeRuns.handle`` records the outcome).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ._definition import Context, VendorDefinition, VendorError
from ._deprecation import Deprecation, as_instant
from ._errors import FakeRunsError, unexpected
from ._faults import (
    RETRY_AFTER_STATUSES,
    SERVED_DELAY_CAP,
    SLOW_BODY_PIECES,
    FaultAnswer,
    FaultBook,
)
from ._generator import FakerSource, Gen
from ._http import Request, Response
from ._outcome import Outcome
from ._router import Route, Router
from ._run import Run
from ._shared import compile_routes
from ._states import State
from ._store import Parent, RunStore
from ._vendor_runs import RunCreation

if TYPE_CHECKING:
    from ._clock import Clock
    from ._fake import FakeRuns
    from ._roots import Roots

# where every transition of a vendor's runs is reported (the pytest hook, in the plugin)
TransitionObserver = Callable[[Run, State, State], None]


class VendorFake(RunCreation):
    """One faked vendor: ``add_run``, ``add_runs``, ``runs``, ``get``, ``deprecate``.

    ``fake`` gives the shared settings (seed, progression, clock, lock); ``roots`` its root
    URL; ``observer`` hears every transition of its runs.
    """

    def __init__(
        self,
        fake: FakeRuns,
        definition: VendorDefinition,
        faker: FakerSource,
        roots: Roots,
        observer: TransitionObserver | None = None,
        router: Router | None = None,
    ) -> None:
        self._fake = fake
        self._roots = roots
        self._observer = observer
        self.definition = definition
        self.name: str = definition.name
        self.vocabulary = definition.vocabulary
        self.clock: Clock = fake.clock
        self.lock: threading.RLock = fake.lock
        self._faker = faker
        # shared by every fake of the process (_shared.compiled): read-only
        self.router = router if router is not None else compile_routes(definition)
        self.gen = Gen(fake.seed, self.name, faker)
        self.require_auth = True
        self._deprecations: list[Deprecation] = []
        self._reset_deprecations()

    @cached_property
    def store(self) -> RunStore:  # type: ignore[override]
        """The vendor's runs and parents, made on first use (most tests touch few vendors)."""
        return RunStore(self.definition.indexes, self.clock.now, self._timed)

    def _timed(self) -> bool:
        return self.progression == "time"

    # -- settings --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._roots.base_url(self.name)

    @property
    def reads_move_runs(self) -> bool:
        """In poll progression an API read moves a run (unless its ``Context`` is quiet)."""
        return self._fake.progression == "poll"

    @property
    def progression(self) -> str:
        return self._fake.progression

    def _reset(self) -> None:
        if "store" in self.__dict__:
            self.store.clear()
        self.gen = Gen(self._fake.seed, self.name, self._faker)
        self.require_auth = True
        self._reset_deprecations()

    def _reset_deprecations(self) -> None:
        self._deprecations = [
            Deprecation(d.deprecated_at, d.sunset_at, d.link, d.path)
            for d in self.definition.default_deprecations
        ]

    def deprecate(
        self,
        deprecated_at: object,
        sunset_at: object = None,
        link: str | None = None,
        path: str | None = None,
    ) -> None:
        """Mark the list route (or the routes matching ``path``) deprecated."""
        dep = Deprecation(
            as_instant(deprecated_at, "deprecate(deprecated_at=...)"),
            None if sunset_at is None else as_instant(sunset_at, "deprecate(sunset_at=...)"),
            link,
            path,
        )
        if path is not None and not any(dep.covers(r, path) for r in self.router.routes):
            templates = ", ".join(sorted({r.template for r in self.router.routes}))
            raise FakeRunsError(
                f"deprecate(path={path!r}) matches no {self.name} route; routes: {templates}"
            )
        with self.lock:
            self._deprecations = [d for d in self._deprecations if d.path != path]
            self._deprecations.insert(0, dep)

    @property
    def deprecations(self) -> list[Deprecation]:
        """The deprecations in force, newest first (read-only copy; the control plane shows it)."""
        with self.lock:
            return list(self._deprecations)

    def deprecation_for(self, route: Route, path: str) -> Deprecation | None:
        """The deprecation in force for ``path`` on ``route`` (newest first), or None."""
        for dep in self._deprecations:
            if dep.covers(route, path):
                return dep
        return None

    # -- runs from Python ------------------------------------------------------------------

    def add_run(self, **fields: Any) -> Run:
        """One run; canonical keys, the parent keyword, or the vendor's own field names."""
        with self.lock:
            return self.create_run(fields, reached_at=self.clock.data_now())

    def add_runs(self, count: int, **fields: Any) -> list[Run]:
        """``count`` runs of seeded history: spread over the past days, mostly finished.

        Outcomes follow the vendor's ``history_mix``; the newest few (one in 25, at most 5)
        are still active. Ids ascend with creation time.
        """
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise FakeRunsError(f"add_runs(count) takes an int >= 0, not {count!r}")
        with self.lock:
            return self._add_history(count, dict(fields))

    def runs(self, **filters: Any) -> list[Run]:
        """The store's view, newest first (creation time, then id); filters compare fields."""
        with self.lock:
            self.store.catch_up()
            found = [r for r in self.store.runs if self._matches(r, filters)]
        found.sort(key=lambda r: (r.created_at_, _id_key(r.id)), reverse=True)
        return found

    def get(self, run_id: object) -> Run:
        with self.lock:
            run = self.store.get(run_id)
            if run is None and isinstance(run_id, str) and not self.definition.int_ids:
                with contextlib.suppress(FakeRunsError):  # another spelling of a valid id
                    run = self.store.get(self.definition.canonical_id(run_id))
        if run is None:
            raise KeyError(f"{self.name} has no run with id {run_id!r}")
        return run

    def add_parent(self, key: str | None = None) -> Parent:
        """Create the parent ``key`` (or the default parent) without runs; returns it."""
        with self.lock:
            return self._parent_for(key)

    def parent(self, key: str) -> Parent | None:
        with self.lock:
            return self.store.parent(key)

    def _matches(self, run: Run, filters: Mapping[str, Any]) -> bool:
        for key, want in filters.items():
            if key in ("state", self.vocabulary.status_field):
                if want not in (run.state_.value, run.status):
                    return False
            elif key == self.definition.parent_keyword or key in self.definition.parent_aliases:
                if run.parent != self.definition.canonical_parent(str(want)):
                    return False
            elif key == "outcome":
                if run.outcome_.value != want:
                    return False
            elif run.fields.get(key) != want:
                return False
        return True

    # -- the run's owner protocol ----------------------------------------------------------

    def _transition(self, run: Run, old: State, new: State) -> None:
        if new.terminal:
            self.store.ended(run)
        self.store.parents[run.parent].changed(run)
        if self._observer is not None:
            self._observer(run, old, new)

    def _schedule(self, run: Run) -> None:
        self.store.schedule(run)

    def _serialize(self, run: Run, **options: Any) -> Any:
        return self.definition.serialize(run, **options)

    # -- HTTP ------------------------------------------------------------------------------

    def dispatch(self, request: Request, path: str, faults: FaultBook) -> Outcome:
        """Answer one request (under the fake's lock): sunset 410, then an injected fault,
        then auth and the handler. A HEAD is answered as its GET, without the body."""
        found = self.router.match(request.method, path)
        if found is None and request.method == "HEAD":
            found = self.router.match("GET", path)
        if found is None:
            near = self.router.near_misses(request.method, path)
            response = self.definition.error(Context(request, self, path), 404, None)
            return Outcome(_head(request, response), near=tuple(near))
        route, params = found
        ctx = Context(request, self, path, route, params)
        dep = self.deprecation_for(route, path)
        answer: FaultAnswer | None = None
        try:
            if dep is not None and dep.gone(self.clock.now()):
                response = self.definition.error(ctx, 410, None)
            else:
                answer = faults.pick(self.name, route.method, path, route.template)
                if answer is not None and answer.delay and answer.error != "slow_body":
                    gave_up = self._wait(request, answer.delay)
                    if gave_up is not None:  # the client's read timeout: nothing else happens
                        return Outcome(gave_up, route, answer.fault, dep)
                response = self._answer(ctx, route, answer)
        except VendorError as err:
            response = self.definition.error(ctx, err.status, err.message, **err.extra)
        if dep is not None and response.error is None:
            response.headers.update(dep.headers())
        response = _head(request, response)
        if answer is not None and answer.delay:
            if answer.error == "slow_body":
                self._dribble(request, response, answer.delay)
            else:
                response.delay = self._applied(request, answer.delay)
        fault = answer.fault if answer is not None else None
        return Outcome(response, route, fault, dep)

    def _applied(self, request: Request, delay: float) -> float:
        return min(delay, SERVED_DELAY_CAP) if request.served else delay

    def _wait(self, request: Request, delay: float) -> Response | None:
        """A delayed answer: in-process the clock moves by ``delay`` first (no wall time);
        a client whose read timeout is shorter gets that timeout (the clock moved by it).
        Served over HTTP, the server waits for real and the clock moves with real time."""
        if request.served:
            self.clock._delay(self._applied(request, delay), move=False)
            return None
        timeout = request.timeout
        if timeout is not None and timeout < delay:
            self.clock._delay(timeout)
            return Response(0, error="timeout", delay=timeout)
        self.clock._delay(delay)
        return None

    def _dribble(self, request: Request, response: Response, delay: float) -> None:
        """``error="slow_body"``: the head at once, the body in ``SLOW_BODY_PIECES`` pieces
        across ``delay`` (the server's pattern). In-process a read timeout shorter than the
        wait for one piece stops the client (the clock moved by its timeout)."""
        delay = self._applied(request, delay)
        response.delay = delay
        if request.served:
            self.clock._delay(delay, move=False)
            if response.error is None:  # an envelope the handler raised is dribbled too
                response.error = "slow_body"
            return
        pieces = min(len(response.body), SLOW_BODY_PIECES)
        timeout = request.timeout
        if pieces and timeout is not None and timeout < delay / pieces:
            self.clock._delay(timeout)
            response.error, response.delay = "body_timeout", timeout
            return
        self.clock._delay(delay)
        response.error = None  # in-process: the usual answer once the clock has moved

    def _answer(self, ctx: Context, route: Route, fault: FaultAnswer | None = None) -> Response:
        """The route's answer, or what ``fault`` answers instead."""
        if fault is None or (fault.status is None and fault.error in (None, "slow_body")):
            response = self._handle(ctx, route)
            if fault is not None and fault.error == "slow_body":
                response.error = "slow_body"
            return response
        if fault.error in ("connection", "timeout"):
            return Response(0, error=fault.error)
        if fault.error == "malformed":
            # the usual answer, cut on its way back: a read moves nothing (poll mode), a
            # write has happened (the client cannot tell whether its POST went through)
            usual = self._handle(ctx.quietly(), route)
            cut = max(1, len(usual.body) // 2) if len(usual.body) > 1 else 0
            body = usual.body[:cut] if cut else b"{"
            return Response(200, usual.headers, body, None, error="malformed")
        assert fault.status is not None
        response = self.definition.error(ctx, fault.status, None)
        if fault.status in RETRY_AFTER_STATUSES:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    def bug_answer(self, request: Request, path: str) -> Response:
        """The vendor's 500 envelope, journaled for a request the fake failed to answer."""
        try:
            return self.definition.error(Context(request, self, path), 500, None)
        except Exception:  # the envelope itself failed: a bare 500
            return Response(500, {"Content-Type": "text/plain"}, b"pytest-fakeruns: fake bug")

    def _handle(self, ctx: Context, route: Route) -> Response:
        try:
            if route.auth:
                self.definition.authenticate(ctx)
            return route.handler(ctx)
        except VendorError:
            raise
        except FakeRunsError:
            raise
        except Exception as exc:
            raise unexpected(self.name, route, exc) from exc

    def __repr__(self) -> str:
        return f"<VendorFake {self.name} {self.base_url} runs={len(self.store.runs)}>"


def _id_key(run_id: int | str) -> tuple[int, str]:
    return (run_id, "") if isinstance(run_id, int) else (0, run_id)


def _head(request: Request, response: Response) -> Response:
    """A HEAD answer: the GET's status and headers (its Content-Length too), no body."""
    if request.method != "HEAD" or response.error in ("connection", "timeout", "body_timeout"):
        return response
    head = Response(response.status, response.headers, b"", None, error=response.error)
    head.headers["Content-Length"] = str(len(response.body))
    head.delay = response.delay
    return head
