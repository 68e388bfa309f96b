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


# The members as module names: on Python 3.11 ``State.FAILED`` goes through EnumType's
# ``__getattr__`` hook (about 140 ns, five times a global), and the per-run and per-page code
# names them often.
WAITING = State.WAITING
RUNNING = State.RUNNING
COMPLETED = State.COMPLETED
FAILED = State.FAILED
CANCELED = State.CANCELED
TERMINAL = frozenset({COMPLETED, FAILED, CANCELED})
STATE_NAMES = tuple(s.value for s in State)


def parse_state(value: object) -> State | None:
    """The canonical state named by ``value``, or None when it names none."""
    if isinstance(value, State):
        return value
    try:
        return State(value)
    except ValueError:
        return None
