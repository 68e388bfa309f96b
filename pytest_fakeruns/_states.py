"""Canonical run states shared by every vendor."""

from __future__ import annotations

import enum


class State(str, enum.Enum):
    """A canonical state; compares equal to its name as a plain string."""

    WAITING = "waitingToRun"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"

    def __str__(self) -> str:
        return self.value

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({State.COMPLETED, State.FAILED, State.CANCELED})
STATE_NAMES = tuple(s.value for s in State)


def parse_state(value: object) -> State | None:
    """The canonical state named by ``value``, or None when it names none."""
    if isinstance(value, State):
        return value
    try:
        return State(value)
    except ValueError:
        return None
