"""The fake's clock: real time plus an offset, so freezegun and time-machine move it too."""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Iterator
from typing import Any

from ._errors import FakeRunsError

Seconds = float | int | _dt.timedelta


def _delta(amount: Seconds) -> _dt.timedelta:
    if isinstance(amount, _dt.timedelta):
        return amount
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        raise FakeRunsError(
            f"clock.advance() takes seconds (int or float) or a timedelta, not {amount!r}"
        )
    return _dt.timedelta(seconds=amount)


def _aware(moment: _dt.datetime) -> _dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc)


class Clock:
    """``now() = datetime.now(timezone.utc) + offset``; ``advance()`` moves the offset.

    After ``set(X)`` (and under ``freeze()``) the clock also keeps a *data instant*: X plus
    the advances made since, never the wall time that passed. Generated data (``add_runs``,
    ``add_run`` defaults) is placed at that instant, so it depends only on the seed, X and
    the advances: the same in every process and xdist worker, however slow the machine.
    """

    def __init__(self) -> None:
        self._offset = _dt.timedelta(0)
        self._frozen: Any = None  # freezegun's FrozenDateTimeFactory while freeze() is active
        self._anchor: _dt.datetime | None = None  # the data instant; None: follow now()

    def now(self) -> _dt.datetime:
        # Looked up through the module on every call, so a patched datetime class is honoured.
        return _dt.datetime.now(_dt.timezone.utc) + self._offset

    def data_now(self) -> _dt.datetime:
        """The instant generated data is placed at: after ``set(X)``, X plus the advances made
        since; under ``freeze()``, the frozen instant; otherwise ``now()``."""
        return self.now() if self._anchor is None else self._anchor

    def advance(self, amount: Seconds) -> _dt.datetime:
        delta = _delta(amount)
        if delta < _dt.timedelta(0):
            raise FakeRunsError("clock.advance() moves forward only; use clock.set() to go back")
        if self._frozen is not None:
            self._frozen.tick(delta)
        else:
            self._offset += delta
        if self._anchor is not None:
            self._anchor += delta
        return self.now()

    def set(self, moment: _dt.datetime) -> _dt.datetime:
        if not isinstance(moment, _dt.datetime):
            raise FakeRunsError(f"clock.set() takes a datetime, not {moment!r}")
        target = _aware(moment)
        if self._frozen is not None:
            self._frozen.move_to(target)
        else:
            self._offset = target - _dt.datetime.now(_dt.timezone.utc)
        self._anchor = target
        return self.now()

    def reset(self) -> None:
        if self._frozen is None:
            self._offset = _dt.timedelta(0)
            self._anchor = None

    @contextlib.contextmanager
    def freeze(self) -> Iterator[Clock]:
        """Freeze the whole process (freezegun) at ``now()``; ``advance()`` moves it."""
        if self._frozen is not None:
            raise FakeRunsError("clock.freeze() is already active; nest nothing inside it")
        import freezegun

        # pytest's own timing stays real (--durations). Frozen at the data instant when the
        # clock was set: the frozen time is then X plus
        # the advances too, not X plus however long the test took to get here
        start = self.data_now()
        was_set = self._anchor is not None
        freezer = freezegun.freeze_time(start, ignore=["_pytest.timing"])
        self._frozen = freezer.start()
        saved_offset, self._offset = self._offset, _dt.timedelta(0)
        self._anchor = start
        try:
            yield self
        finally:
            reached = self.now()
            freezer.stop()
            self._frozen = None
            self._offset = reached - _dt.datetime.now(_dt.timezone.utc)
            self._anchor = reached if was_set else None
            del saved_offset

    def __repr__(self) -> str:
        return f"<Clock now={self.now().isoformat()} offset={self._offset}>"
