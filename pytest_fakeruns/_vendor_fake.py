"""``VendorFake``: one vendor's store, lifecycle and routes, driven from Python and HTTP."""

from __future__ import annotations

import contextlib
import datetime as _dt
import threading
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._definition import Context, VendorDefinition, VendorError
from ._deprecation import Deprecation, as_instant
from ._errors import DeprecatedEndpointWarning, FakeRunsError, unexpected
from ._generator import FakerSource, Gen
from ._history import distinct_seconds, draw_positions, gc_paused, reached_instants
from ._http import Request, Response
from ._router import Route, Router
from ._run import Run
from ._states import State
from ._store import Parent, RunStore
from ._vocabulary import Position

if TYPE_CHECKING:
    from ._clock import Clock
    from ._fake import FakeRuns



class VendorFake:
    """One faked vendor: ``add_run``, ``add_runs``, ``runs``, ``get``, ``deprecate``."""

    def __init__(self, fake: FakeRuns, definition: VendorDefinition, faker: FakerSource) -> None:
        self._fake = fake
        self.definition = definition
        self.name: str = definition.name
        self.vocabulary = definition.vocabulary
        self.clock: Clock = fake.clock
        self.lock: threading.RLock = fake.lock
        self._faker = faker
        self.router = Router()
        for route in definition.routes():
            self.router.add(route)
        self.store = RunStore(
            definition.indexes, self.clock.now, lambda: self.progression == "time"
        )
        self.gen = Gen(fake.seed, self.name, faker)
        self.require_auth = True
        self._quiet_reads = False
        self._deprecations: list[Deprecation] = []
        self._reset_deprecations()

    # -- settings --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._fake._base_url(self.name)

    @property
    def reads_move_runs(self) -> bool:
        """In poll progression an API read moves a run, unless the answer is being cut
        (a ``malformed`` fault answers before any state change)."""
        return self._fake.progression == "poll" and not self._quiet_reads

    @property
    def progression(self) -> str:
        return self._fake.progression

    def _reset(self) -> None:
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

    def _deprecation_for(self, route: Route, path: str) -> Deprecation | None:
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
        with self.lock, gc_paused(count >= 1000):
            fields = dict(fields)
            if count > 1 and self.definition.id_field in fields:
                raise FakeRunsError(
                    f"add_runs({count}, {self.definition.id_field}=...) would give every run "
                    "the same id; use add_run() per id"
                )
            parent = self._parent_for(self._pop_parent(fields))
            rng = self.gen.rng
            fixed = self._pop_state(fields)
            if fixed is not None:
                positions = [(self.vocabulary.locate(fixed), True)] * count
            else:
                positions = draw_positions(
                    rng, self.vocabulary, self.definition.history_mix(), count,
                    min(5, count // 25),
                )
            reached = reached_instants(rng, self.clock.data_now(), positions)
            made = [
                self._build(dict(fields), parent, at, when, started, placeholder=True)
                for (at, started), when in zip(positions, reached, strict=True)
            ]
            if self.definition.distinct_instants:
                distinct_seconds(made, self.store.runs)
            made.sort(key=lambda r: r.created_at_)
            for run in made:
                self._register(run)
            return made

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

    # -- creation, shared by add_run and the API -------------------------------------------

    def _pop_state(self, given: dict[str, Any]) -> object:
        state = given.pop("state", None)
        synonym = self.vocabulary.status_field
        if synonym != "state" and synonym in given:
            other = given.pop(synonym)
            if state is not None and other != state:
                raise FakeRunsError(
                    f"add_run() got state={state!r} and {synonym}={other!r}; give one of them"
                )
            state = other
        return state

    def _pop_parent(self, given: dict[str, Any]) -> object:
        key = given.pop(self.definition.parent_keyword, None)
        for alias in self.definition.parent_aliases:
            if alias in given:
                other = given.pop(alias)
                if key is not None and str(other) != str(key):
                    raise FakeRunsError(
                        f"add_run() got {self.definition.parent_keyword}={key!r} and "
                        f"{alias}={other!r}; give one of them"
                    )
                key = other
        return key

    def add_parent(self, key: str | None = None) -> Parent:
        """Create the parent ``key`` (or the default parent) without runs; returns it."""
        with self.lock:
            return self._parent_for(key)

    def _parent_for(self, key: object) -> Parent:
        if key is not None and (not isinstance(key, (str, int)) or str(key) == ""):
            raise FakeRunsError(
                f"{self.definition.parent_keyword} must be a non-empty string, not {key!r}"
            )
        found = self.store.parent(str(key)) if key is not None else None
        if found is None and key is None:
            default_key, _ = self.definition.new_parent(self.gen, None)
            found = self.store.parent(default_key)
            key = default_key
        if found is None:
            real_key, data = self.definition.new_parent(self.gen, str(key))
            # a vendor may normalise the key (Enterprise Tester GUIDs are lowercase)
            found = self.store.parent(real_key) or self.store.add_parent(real_key, data)
        return found

    def create_run(
        self,
        fields: Mapping[str, Any],
        parent: Parent | None = None,
        started: bool = True,
        reached_at: _dt.datetime | None = None,
    ) -> Run:
        """Create and store one run (the lock is held by the caller); it reached its step at
        ``reached_at`` (default: now, as for a run the API creates)."""
        given = dict(fields)
        if parent is None:
            parent = self._parent_for(self._pop_parent(given))
        state = self._pop_state(given)
        at = self.vocabulary.locate(State.WAITING.value if state is None else state)
        when = self.clock.now() if reached_at is None else reached_at
        run = self._build(given, parent, at, when, started, placeholder=False)
        self._register(run)
        return run

    def _build(
        self,
        given: dict[str, Any],
        parent: Parent,
        at: Position,
        reached_at: _dt.datetime,
        started: bool,
        placeholder: bool,
    ) -> Run:
        outcome = given.pop("outcome", None)
        goal = at if at.step is None else self.vocabulary.locate(outcome or "completed")
        if outcome is not None and goal.step is not None:
            raise FakeRunsError(
                f"outcome={outcome!r} is not a terminal state; use completed, failed or canceled"
            )
        created = given.pop("created_at", None)
        created_at = None if created is None else as_instant(created, "created_at")
        durations = self.gen.durations(self.vocabulary.durations)
        custom = given.pop("durations", None)
        if custom is not None:
            durations.update(_check_durations(custom))
        reason = given.pop("reason", None)
        if at.label is not None and at.label in self.vocabulary.unstarted_words:
            started = False
        preset = self._preset_id(given)
        vendor_fields = self.definition.run_fields(self.gen, parent, given, at)
        run_id: int | str
        if preset is not None:
            run_id = preset
        elif placeholder:
            run_id = 0
        elif self.definition.int_ids:
            run_id = self.store.next_int_id()
        else:
            run_id = self.definition.new_run_id(self.gen)
        run = Run(
            self, run_id, parent.key, vendor_fields, durations, goal, at, created_at,
            reached_at, 0, started,
        )
        if reason is not None:
            run.reason = str(reason)
        return run

    def _preset_id(self, given: dict[str, Any]) -> int | str | None:
        """The id chosen with ``add_run(<id_field>=...)``, checked; None when none is given."""
        name = self.definition.id_field
        if name is None or name not in given:
            return None
        value = given.pop(name)
        int_ids = self.definition.int_ids
        if int_ids:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        else:
            ok = isinstance(value, str) and value != ""
        if not ok:
            kind = "a positive int" if int_ids else "a non-empty string"
            raise FakeRunsError(f"{self.name} {name}= takes {kind}, not {value!r}")
        if not int_ids:
            value = self.definition.canonical_id(value)
        if self.store.get(value) is not None:
            raise FakeRunsError(f"{self.name} already has a run with {name} {value!r}")
        if int_ids:
            self.store.last_int_id = max(self.store.last_int_id, int(value))
        return value  # type: ignore[no-any-return]

    def _register(self, run: Run) -> None:
        if run.id == 0 and self.definition.int_ids:
            run.id = self.store.next_int_id()
        elif run.id == 0:
            run.id = self.definition.new_run_id(self.gen)
        run.seq = self.store.seq + 1
        self.store.add(run)

    # -- the run's owner protocol ----------------------------------------------------------

    def _transition(self, run: Run, old: State, new: State) -> None:
        if new.terminal:
            self.store.ended(run)
        self.store.parents[run.parent].changed(run)
        self._fake._on_transition(run, old, new)

    def _schedule(self, run: Run) -> None:
        self.store.schedule(run)

    def _serialize(self, run: Run, **options: Any) -> Any:
        return self.definition.serialize(run, **options)

    # -- HTTP ------------------------------------------------------------------------------

    def dispatch(self, request: Request, path: str) -> tuple[Response, Route | None, Any]:
        """Answer one request under the fake's lock: (response, route, fault that answered)."""
        found = self.router.match(request.method, path)
        if found is None:
            ctx = Context(request, self, path)
            self._fake._record_unmatched(self, request, path)
            return self.definition.error(ctx, 404, None), None, None
        route, params = found
        ctx = Context(request, self, path, route, params)
        dep = self._deprecation_for(route, path)
        fault = None
        if dep is not None:
            self._fake._record_deprecated(self, route, dep)
            warnings.warn(
                DeprecatedEndpointWarning(
                    f"{self.name}: {route} is deprecated since {dep.deprecated_at.date()}"
                    + (f", sunset {dep.sunset_at.date()}" if dep.sunset_at else "")
                ),
                stacklevel=2,
            )
        try:
            if dep is not None and dep.gone(self.clock.now()):
                response = self.definition.error(ctx, 410, None)
            else:
                fault = self._fake._pick_fault(self.name, request.method, path, route.template)
                if fault is not None:
                    response = self._fake._fault_response(fault, ctx)
                else:
                    response = self._answer(ctx, route)
        except VendorError as err:
            response = self.definition.error(ctx, err.status, err.message, **err.extra)
        if dep is not None and response.error is None:
            response.headers.update(dep.headers())
        return response, route, fault

    def _answer(self, ctx: Context, route: Route) -> Response:
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


def _check_durations(custom: object) -> dict[State, float]:
    if not isinstance(custom, Mapping):
        raise FakeRunsError("durations is a dict like {'waitingToRun': 2.0, 'running': 10.0}")
    out: dict[State, float] = {}
    for key, value in custom.items():
        if key not in (State.WAITING.value, State.RUNNING.value):
            raise FakeRunsError(
                f"durations key {key!r} is not a waiting or running state; "
                "use 'waitingToRun' and/or 'running'"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise FakeRunsError(f"durations[{key!r}] must be seconds >= 0, not {value!r}")
        out[State(key)] = float(value)
    return out


def _id_key(run_id: int | str) -> tuple[int, str]:
    return (run_id, "") if isinstance(run_id, int) else (0, run_id)
