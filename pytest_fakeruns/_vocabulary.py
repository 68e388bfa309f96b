"""A vendor's lifecycle as data: its steps, its words, its default durations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ._errors import FakeRunsError
from ._states import STATE_NAMES, State, parse_state


@dataclass(frozen=True)
class Step:
    """A non-terminal vendor step: its word, canonical state, share of that state's time."""

    word: str
    state: State
    share: float = 1.0


@dataclass(frozen=True)
class Position:
    """Where a word puts a run: a step index (non-terminal) or a terminal state and its label."""

    state: State
    step: int | None
    label: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Steps in path order, the word shown per terminal state, vendor-only terminal labels."""

    steps: tuple[Step, ...]
    terminal_words: Mapping[State, str]
    durations: Mapping[State, float]
    extra_words: Mapping[str, State] = field(default_factory=dict)
    status_field: str = "status"
    # extra_words that end a run before it ever ran (ArcGIS `submitfailed`): no started_at
    unstarted_words: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        states = [s.state for s in self.steps]
        if not states or states[0] is not State.WAITING or State.RUNNING not in states:
            raise FakeRunsError("a Vocabulary's steps start at waitingToRun and reach running")
        if set(self.terminal_words) != {State.COMPLETED, State.FAILED, State.CANCELED}:
            raise FakeRunsError("terminal_words names a word for completed, failed and canceled")

    # cached_property, not property: after the first read these are plain instance-dict
    # lookups, with no call (placing every generated run reads both)
    @cached_property
    def step_pairs(self) -> tuple[tuple[State, float], ...]:
        """Each step's (state, share), in path order: what placing a run walks over."""
        return tuple((s.state, s.share) for s in self.steps)

    @cached_property
    def first_running_step(self) -> int:
        return next(i for i, s in enumerate(self.steps) if s.state is State.RUNNING)

    def words(self) -> list[str]:
        seen: dict[str, None] = {}
        for w in [s.word for s in self.steps] + list(self.terminal_words.values()):
            seen[w] = None
        for w in self.extra_words:
            seen[w] = None
        return list(seen)

    def locate(self, value: object) -> Position:
        """The position a vendor word or canonical name stands for; FakeRunsError otherwise."""
        for i, step in enumerate(self.steps):
            if step.word == value:
                return Position(step.state, i)
        for ended, word in self.terminal_words.items():
            if word == value:
                return Position(ended, None)
        if isinstance(value, str) and value in self.extra_words:
            return Position(self.extra_words[value], None, value)
        state = parse_state(value)
        if state is None:
            allowed = ", ".join(sorted(set(self.words()) | set(STATE_NAMES)))
            raise FakeRunsError(f"unknown state {value!r}; use one of: {allowed}")
        if state.terminal:
            return Position(state, None)
        return Position(state, next(i for i, s in enumerate(self.steps) if s.state is state))

    def word(self, state: State, step: int | None, label: str | None) -> str:
        if label is not None:
            return label
        if step is not None:
            return self.steps[step].word
        return self.terminal_words[state]
