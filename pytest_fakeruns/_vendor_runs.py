"""Creating runs, shared by ``add_run``/``add_runs`` and the API: parents, ids, states, history."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._deprecation import as_instant
from ._errors import FakeRunsError
from ._history import CREATED, distinct_seconds, draw_positions, gc_paused, reached_instants
from ._run import Run
from ._states import RUNNING, WAITING, State
from ._store import Parent, RunStore

if TYPE_CHECKING:
    from ._clock import Clock
    from ._definition import VendorDefinition
    from ._generator import Gen
    from ._vocabulary import Position, Vocabulary


class RunCreation:
    """The run-making half of ``VendorFake`` (the caller holds the vendor's lock)."""

    name: str
    definition: VendorDefinition
    vocabulary: Vocabulary
    clock: Clock
    gen: Gen
    store: RunStore

    def _add_history(self, count: int, fields: dict[str, Any]) -> list[Run]:
        with gc_paused(count >= 1000):
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
                    rng,
                    self.vocabulary,
                    self.definition.history_mix(),
                    count,
                    min(5, count // 25),
                )
            reached = reached_instants(rng, self.clock.data_now(), positions)
            made = [
                self._build(dict(fields), parent, at, when, started, placeholder=True)
                for (at, started), when in zip(positions, reached, strict=True)
            ]
            made.sort(key=CREATED)
            if self.definition.distinct_instants:
                distinct_seconds(made, self.store.runs)
                made.sort(key=CREATED)  # the few runs moved back; nearly sorted, so cheap
            for run in made:
                self._register(run)
            return made

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
        at = self.vocabulary.locate(WAITING.value if state is None else state)
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
        preset = self._preset_id(given) if given else None
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
            self,  # type: ignore[arg-type]  # the VendorFake this mixin is part of
            run_id,
            parent.key,
            vendor_fields,
            durations,
            goal,
            at,
            created_at,
            reached_at,
            0,
            started,
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
        store = self.store
        if run.id == 0:
            run.id = (
                store.next_int_id()
                if self.definition.int_ids
                else self.definition.new_run_id(self.gen)
            )
        run.seq = store.seq + 1
        store.add(run)


def _check_durations(custom: object) -> dict[State, float]:
    if not isinstance(custom, Mapping):
        raise FakeRunsError("durations is a dict like {'waitingToRun': 2.0, 'running': 10.0}")
    out: dict[State, float] = {}
    for key, value in custom.items():
        if key not in (WAITING.value, RUNNING.value):
            raise FakeRunsError(
                f"durations key {key!r} is not a waiting or running state; "
                "use 'waitingToRun' and/or 'running'"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise FakeRunsError(f"durations[{key!r}] must be seconds >= 0, not {value!r}")
        out[State(key)] = float(value)
    return out
