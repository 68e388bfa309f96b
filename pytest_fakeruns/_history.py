"""Seeded run history for ``add_runs``: outcomes, instants, and distinct shown seconds."""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import itertools
import operator
import random
from collections.abc import Iterable, Iterator, Sequence

from ._run import Run
from ._vocabulary import Position, Vocabulary

Entry = tuple[Position, bool]  # where a run stands, and whether it ever started

HISTORY_SPAN = 14 * 86400  # finished runs ended up to two weeks ago ...
HISTORY_RECENT = 600  # ... and at least ten minutes ago
CREATED = operator.attrgetter("created_at_")  # a run's sort key, with no Python frame per run


def draw_positions(
    rng: random.Random,
    vocabulary: Vocabulary,
    mix: Sequence[tuple[float, str, bool]],
    count: int,
    n_active: int,
) -> list[Entry]:
    """``count`` positions: ended ones from the mix's terminal words, then ``n_active`` active."""
    ended: list[tuple[float, Entry]] = []
    active: list[tuple[float, Entry]] = []
    for weight, word, started in mix:
        at = vocabulary.locate(word)
        (ended if at.step is None else active).append((weight, (at, started)))
    out: list[Entry] = []
    for side, k in ((ended, count - n_active), (active, n_active)):
        if k and side:
            cum = list(itertools.accumulate(w for w, _ in side))
            out.extend(rng.choices([e for _, e in side], cum_weights=cum, k=k))
    return out


def reached_instants(
    rng: random.Random, now: _dt.datetime, positions: Sequence[Entry]
) -> list[_dt.datetime]:
    """When each run reached its position: ended runs in the past two weeks, active ones now."""
    rnd = rng.random
    span = HISTORY_SPAN - HISTORY_RECENT
    return [
        now - _dt.timedelta(seconds=HISTORY_RECENT + span * rnd() if at.step is None else rnd())
        for at, _ in positions
    ]


@contextlib.contextmanager
def gc_paused(pause: bool = True) -> Iterator[None]:
    """Hold the cyclic garbage collector while a large batch of runs is built.

    Every young collection during the batch would rescan the runs made so far and promote
    them; none of them is garbage, so pausing saves 20-50 % of ``add_runs`` time.
    """
    was_enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_enabled:
            gc.enable()


def _second(moment: _dt.datetime) -> int:
    """The whole UTC second ``moment`` is shown at, counted from day 1 of year 1.

    Every run instant is UTC (the clock and ``as_instant`` make them so), so this orders and
    groups them as ``floor(timestamp())`` would, without the timedelta and int objects that
    ``timestamp()`` makes (most of what this check cost ``add_runs``).
    """
    return moment.toordinal() * 86400 + moment.hour * 3600 + moment.minute * 60 + moment.second


def distinct_seconds(new: list[Run], existing: Iterable[Run]) -> None:
    """Generated runs (``new``, oldest first) never share a shown second with another run's
    same timestamp.

    Keyset pages over a time order (at second precision) then see each run once. A run that
    would clash is moved back one second at a time, newest first; clashes are rare (runs are
    spread over two weeks), so this is linear in practice.
    """
    created: set[int] = set()
    started: set[int] = set()
    ended: set[int] = set()
    second = _second
    for run in existing:
        created.add(second(run.created_at_))
        if (at := run.started_at_) is not None:
            started.add(second(at))
        if (at := run.ended_at_) is not None:
            ended.add(second(at))
    for run in reversed(new):
        c = second(run.created_at_)
        at = run.started_at_
        s = None if at is None else second(at)
        at = run.ended_at_
        e = None if at is None else second(at)
        shift = 0
        while (
            c - shift in created
            or (s is not None and s - shift in started)
            or (e is not None and e - shift in ended)
        ):
            shift += 1
        if shift:
            run._shift_back(shift)
        created.add(c - shift)
        if s is not None:
            started.add(s - shift)
        if e is not None:
            ended.add(e - shift)
