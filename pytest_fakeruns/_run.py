"""A run and its lifecycle engine: time, poll and manual progression over a vendor's steps."""

from __future__ import annotations

import datetime as _dt
import threading
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import InvalidTransition
from ._states import CANCELED, COMPLETED, FAILED, RUNNING, State
from ._vocabulary import Position, Vocabulary

if TYPE_CHECKING:
    from ._clock import Clock
    from ._store import RunStore

RunId = int | str


class RunOwner(Protocol):
    """What a run needs from its vendor: words, time, mode, lock, and where to report changes."""

    name: str
    vocabulary: Vocabulary
    clock: Clock
    lock: threading.RLock
    store: RunStore

    @property
    def progression(self) -> str: ...

    @property
    def reads_move_runs(self) -> bool: ...

    @property
    def base_url(self) -> str: ...

    def _transition(self, run: Run, old: State, new: State) -> None: ...

    def _schedule(self, run: Run) -> None: ...

    def _serialize(self, run: Run, **options: Any) -> Any: ...


class Run:
    """One run of a vendor. Reads catch up with the clock in ``time`` progression."""

    __slots__ = (
        "__weakref__",
        "_durations",
        "_entered_at",
        "_held",
        "_label",
        "_owner",
        "_scheduled_due",
        "_shown",
        "_step",
        "_touched_at",
        "_version",
        "created_at_",
        "ended_at_",
        "fields",
        "id",
        "outcome_",
        "outcome_label",
        "parent",
        "reason",
        "seq",
        "started_at_",
        "state_",
    )

    def __init__(
        self,
        owner: RunOwner,
        run_id: RunId,
        parent: str,
        fields: dict[str, Any],
        durations: dict[State, float],
        outcome: Position,
        at: Position,
        created_at: _dt.datetime | None,
        reached_at: _dt.datetime,
        seq: int,
        started: bool = True,
    ) -> None:
        self._owner = owner
        self.id: RunId = run_id
        self.parent = parent
        self.fields = fields
        self.seq = seq
        self._durations = durations  # the caller's fresh dict: the run owns it
        self.outcome_ = outcome.state
        self.outcome_label = outcome.label
        self.reason: str | None = None
        self._held = False
        self.state_ = at.state
        self._step = at.step
        self._label = at.label
        self.started_at_: _dt.datetime | None = None
        self.ended_at_: _dt.datetime | None = None
        self._version = 0  # bumped on every change; keys the serialisation cache
        self._shown: dict[Any, tuple[int, Any]] = {}
        self._scheduled_due: _dt.datetime | None = None
        self._place(at, created_at, reached_at, started)

    # -- placement -------------------------------------------------------------------------

    def _step_seconds(self, index: int) -> float:
        step = self._owner.vocabulary.steps[index]
        return self._durations.get(step.state, 0.0) * step.share

    def _place(
        self,
        at: Position,
        created_at: _dt.datetime | None,
        reached_at: _dt.datetime,
        started: bool,
    ) -> None:
        """Timestamps for a run that reached ``at`` at ``reached_at``, or walked from created_at.

        A terminal run went through every step, unless ``started`` is False (it ended before
        running: a cancel while waiting, ArcGIS ``submitfailed``).
        """
        # the cost of every generated run (add_runs): locals, no slices, few timedeltas; the
        # sum keeps step order, so the same seed gives the same microseconds
        vocab = self._owner.vocabulary
        steps = vocab.step_pairs
        first_running = vocab.first_running_step
        step_at = at.step
        walked = step_at if step_at is not None else (len(steps) if started else first_running)
        get = self._durations.get
        total = 0.0
        for state, share in steps[: min(walked, first_running)]:
            total += get(state, 0.0) * share
        before_running = total
        for state, share in steps[first_running:walked]:  # none when it never ran
            total += get(state, 0.0) * share
        timedelta = _dt.timedelta
        if created_at is None:
            # datetime arithmetic is exact in microseconds: created_at + total is reached_at
            created_at = reached_at - timedelta(seconds=total)
            reached = reached_at
        else:
            reached = created_at + timedelta(seconds=total) if total else created_at
        self.created_at_ = created_at
        if started if step_at is None else step_at >= first_running:
            self.started_at_ = created_at + timedelta(seconds=before_running)
        if step_at is None:
            self.ended_at_ = reached
        self._entered_at = reached
        self._touched_at = reached

    def _shift_back(self, seconds: int) -> None:
        """Move a generated run's history earlier; an active run keeps its current step's time."""
        delta = _dt.timedelta(seconds=seconds)
        self.created_at_ -= delta
        if self.started_at_ is not None:
            self.started_at_ -= delta
        if self.ended_at_ is not None:
            self.ended_at_ -= delta
            self._entered_at -= delta
            self._touched_at -= delta

    # -- reads -----------------------------------------------------------------------------

    def due(self) -> _dt.datetime | None:
        """When the current step ends in time progression; None once ended or while held."""
        if self._step is None or self._held:
            return None
        return self._entered_at + _dt.timedelta(seconds=self._step_seconds(self._step))

    def _catch_up(self) -> None:
        """In time progression, make every transition whose due instant has passed."""
        if self._step is None or self._held or self._owner.progression != "time":
            return
        now = self._owner.clock.now()
        while self._step is not None:
            due = self._entered_at + _dt.timedelta(seconds=self._step_seconds(self._step))
            if due > now:
                return
            self._move(due)

    def _after_api_read(self) -> None:
        """In poll progression, an API read moves the run one vendor step."""
        if self._step is not None and not self._held and self._owner.reads_move_runs:
            self._move(self._owner.clock.now())

    @property
    def vendor(self) -> str:
        return self._owner.name

    @property
    def owner(self) -> RunOwner:
        """The vendor fake this run belongs to (its store, clock and words), for serialisers."""
        return self._owner

    @property
    def base_url(self) -> str:
        """The vendor's configured root, for the absolute links a run's JSON carries."""
        return self._owner.base_url

    @property
    def state(self) -> State:
        with self._owner.lock:
            self._catch_up()
            return self.state_

    @property
    def status(self) -> str:
        with self._owner.lock:
            self._catch_up()
            return self._owner.vocabulary.word(self.state_, self._step, self._label)

    @property
    def created_at(self) -> _dt.datetime:
        return self.created_at_

    @property
    def started_at(self) -> _dt.datetime | None:
        with self._owner.lock:
            self._catch_up()
            return self.started_at_

    @property
    def ended_at(self) -> _dt.datetime | None:
        with self._owner.lock:
            self._catch_up()
            return self.ended_at_

    @property
    def updated_at(self) -> _dt.datetime:
        """When the run last changed (creation, a transition, or a vendor update)."""
        with self._owner.lock:
            self._catch_up()
            return self._touched_at

    @property
    def outcome(self) -> State:
        return self.outcome_

    @property
    def durations(self) -> dict[str, float]:
        return {k.value: v for k, v in self._durations.items()}

    @property
    def held(self) -> bool:
        return self._held

    @property
    def step(self) -> int | None:
        """Index of the vendor step the run stands on; None once it has ended."""
        with self._owner.lock:
            self._catch_up()
            return self._step

    def touch(self, at: _dt.datetime | None = None) -> None:
        """Record a vendor-side change (an update, a field set by a handler) at ``at`` or now."""
        self._touched_at = at or self._owner.clock.now()
        self._version += 1

    # -- moves -----------------------------------------------------------------------------

    def _move(self, at: _dt.datetime) -> None:
        """One vendor step forward at ``at``: the next step, or the outcome after the last."""
        assert self._step is not None
        steps = self._owner.vocabulary.steps
        if self._step + 1 < len(steps):
            self._enter_step(self._step + 1, at)
        else:
            self._finish(self.outcome_, at, self.outcome_label)

    def _enter_step(self, index: int, at: _dt.datetime) -> None:
        old = self.state_
        new = self._owner.vocabulary.steps[index].state
        self._step = index
        self._entered_at = at
        self._touched_at = at
        self._version += 1
        if new is RUNNING and self.started_at_ is None:
            self.started_at_ = at
        self.state_ = new
        self._owner._schedule(self)
        if new is not old:
            self._owner._transition(self, old, new)

    def _finish(self, state: State, at: _dt.datetime, label: str | None = None) -> None:
        old = self.state_
        self._step = None
        self._label = label
        self.state_ = state
        self.ended_at_ = at
        self._entered_at = at
        self._touched_at = at
        self._version += 1
        self._owner._transition(self, old, state)

    def _reachable(self) -> tuple[list[str], list[str]]:
        """(canonical states, vendor words) the run can still reach, in path order."""
        vocabulary = self._owner.vocabulary
        if self._step is None:
            return [], []
        later = vocabulary.steps[self._step + 1 :]
        states = list(
            dict.fromkeys(
                [s.state.value for s in later if s.state is not self.state_]
                + [COMPLETED.value, FAILED.value, CANCELED.value]
            )
        )
        words = list(
            dict.fromkeys(
                [s.word for s in later]
                + list(vocabulary.terminal_words.values())
                + list(vocabulary.extra_words)
            )
        )
        return states, words

    def _refuse(self, move: str) -> InvalidTransition:
        status = self._owner.vocabulary.word(self.state_, self._step, self._label)
        if self._step is None:
            reach = "it can reach no other state"
            allowed = "none: the run has ended"
        else:
            states, words = self._reachable()
            reach = (
                f"it can still reach {', '.join(states)} (vendor words: "
                f"{', '.join(repr(w) for w in words)})"
            )
            allowed = "advance(), advance_to(<later state>), fail(), cancel(), hold(), release()"
        return InvalidTransition(
            f"cannot {move} {self.vendor} run {self.id!r}: it is {self.state_.value} "
            f"({status!r}); {reach}; allowed moves: {allowed}"
        )

    def advance(self) -> Run:
        """One vendor step along the run's path (to its outcome after the last step)."""
        with self._owner.lock:
            self._catch_up()
            if self._step is None:
                raise self._refuse("advance")
            self._move(self._owner.clock.now())
            return self

    def advance_to(self, target: str) -> Run:
        """Walk the path to ``target`` (a vendor word or canonical state), every step observed."""
        with self._owner.lock:
            self._catch_up()
            goal = self._owner.vocabulary.locate(target)
            now = self._owner.clock.now()
            if self._step is None:
                if goal.step is None and goal.state is self.state_:
                    return self
                raise self._refuse(f"advance to {target!r}")
            if goal.step is not None:
                if goal.step < self._step:
                    raise self._refuse(f"advance back to {target!r}")
                while self._step is not None and self._step < goal.step:
                    self._enter_step(self._step + 1, now)
                return self
            if goal.state is CANCELED:
                self._finish(CANCELED, now, goal.label)
                return self
            self._walk_to_last_step(now)
            self._finish(goal.state, now, goal.label)
            return self

    def _walk_to_last_step(self, at: _dt.datetime) -> None:
        last = len(self._owner.vocabulary.steps) - 1
        while self._step is not None and self._step < last:
            self._enter_step(self._step + 1, at)

    def fail(self, reason: str | None = None) -> Run:
        """End in ``failed`` (through running first); ``reason`` where the vendor shows one."""
        with self._owner.lock:
            self._catch_up()
            if self._step is None:
                raise self._refuse("fail")
            now = self._owner.clock.now()
            self.reason = reason
            self._version += 1
            self._walk_to_last_step(now)
            self._finish(FAILED, now)
            return self

    def cancel(self) -> Run:
        with self._owner.lock:
            self._catch_up()
            if self._step is None:
                raise self._refuse("cancel")
            self._finish(CANCELED, self._owner.clock.now())
            return self

    def hold(self) -> Run:
        """Stay in the current state, ignoring time and reads, until advance*() or release()."""
        with self._owner.lock:
            self._catch_up()
            self._held = True
            return self

    def release(self) -> Run:
        """Let time and reads move the run again; the current state's time restarts now."""
        with self._owner.lock:
            if self._held:
                self._held = False
                self._entered_at = self._owner.clock.now()
                self._owner._schedule(self)
            return self

    def to_json(self) -> Any:
        """The run exactly as one item of the vendor's list answer shows it by default."""
        with self._owner.lock:
            self._catch_up()
            return self._owner._serialize(self)

    def __repr__(self) -> str:
        return f"<Run {self.vendor} {self.id!r} {self.state_.value}>"
