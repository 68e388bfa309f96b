"""Thread-safe in-memory run storage, indexed so a page costs O(page size) and a lookup O(1).

The store itself takes no lock: every caller holds the owning fake's lock.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import heapq
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._run import Run
from ._states import TERMINAL

SortKey = Callable[[Run], Any]


class SortedIndex:
    """Runs sorted ascending by an immutable key.

    An insert that sorts last (the usual case: new runs are the newest) is an append; a
    back-dated insert marks the index dirty and the next read re-sorts once (Timsort on
    nearly sorted data is linear).
    """

    __slots__ = ("_dirty", "_key", "_keys", "_runs")

    def __init__(self, key: SortKey) -> None:
        self._key = key
        self._runs: list[Run] = []
        self._keys: list[Any] = []
        self._dirty = False

    def add(self, run: Run) -> None:
        k = self._key(run)
        if self._keys and k < self._keys[-1]:
            self._dirty = True
        self._keys.append(k)
        self._runs.append(run)

    def _settle(self) -> None:
        if self._dirty:
            pairs = sorted(zip(self._keys, self._runs, strict=True), key=lambda p: p[0])
            self._keys = [p[0] for p in pairs]
            self._runs = [p[1] for p in pairs]
            self._dirty = False

    @property
    def runs(self) -> list[Run]:
        self._settle()
        return self._runs

    @property
    def keys(self) -> list[Any]:
        self._settle()
        return self._keys

    def bisect_left(self, key: Any) -> int:
        return bisect.bisect_left(self.keys, key)

    def bisect_right(self, key: Any) -> int:
        return bisect.bisect_right(self.keys, key)

    def __len__(self) -> int:
        return len(self._runs)


class Parent:
    """A vendor's parent object (script, task, source, environment, assignment) and its runs."""

    __slots__ = ("data", "indexes", "key", "runs", "updated_at")

    def __init__(self, key: str, data: dict[str, Any], index_keys: Mapping[str, SortKey]) -> None:
        self.key = key
        self.data = data
        self.runs: list[Run] = []  # insertion order
        self.indexes = {name: SortedIndex(k) for name, k in index_keys.items()}
        # the latest change (creation or transition) of any of its runs; in `time` progression
        # it counts transitions already made, so catch runs up before reading it
        self.updated_at: _dt.datetime | None = None

    def _add(self, run: Run) -> None:
        self.runs.append(run)
        for index in self.indexes.values():
            index.add(run)
        self.changed(run)

    def changed(self, run: Run) -> None:
        """Note that ``run`` (one of ours) changed at its ``_touched_at``."""
        at = run._touched_at
        if self.updated_at is None or at > self.updated_at:
            self.updated_at = at

    def __repr__(self) -> str:
        return f"<Parent {self.key!r} runs={len(self.runs)}>"


class RunStore:
    """Every run and parent of one vendor; per-parent and global sorted indexes."""

    def __init__(
        self,
        index_keys: Mapping[str, SortKey],
        now: Callable[[], Any],
        timed: Callable[[], bool],
    ) -> None:
        self._index_keys = dict(index_keys)
        self._now = now
        self._timed = timed  # True in time progression: runs move by themselves
        self.clear()

    def clear(self) -> None:
        self.runs: list[Run] = []  # insertion order; `seq` is the position + 1
        self.by_id: dict[str, Run] = {}
        self.parents: dict[str, Parent] = {}
        self.indexes = {name: SortedIndex(k) for name, k in self._index_keys.items()}
        self.active: dict[str, Run] = {}  # runs not yet ended
        # (due instant, tie, run): the next transition of each active run, earliest first
        self._due: list[tuple[Any, int, Run]] = []
        self._tie = itertools.count()
        self.last_int_id = 0
        self.extra: dict[str, Any] = {}  # vendor state that is not runs (issued tokens, ...)

    @property
    def seq(self) -> int:
        """The insertion counter: how many runs were ever added since the last clear."""
        return len(self.runs)

    def next_int_id(self) -> int:
        self.last_int_id += 1
        return self.last_int_id

    def parent(self, key: str) -> Parent | None:
        return self.parents.get(key)

    def add_parent(self, key: str, data: dict[str, Any]) -> Parent:
        parent = Parent(key, data, self._index_keys)
        self.parents[key] = parent
        return parent

    def add(self, run: Run) -> None:
        key = str(run.id)
        self.runs.append(run)
        self.by_id[key] = run
        for index in self.indexes.values():
            index.add(run)
        self.parents[run.parent]._add(run)
        if run.state_ not in TERMINAL:
            self.active[key] = run
            self.schedule(run)

    def add_many(self, runs: Iterable[Run]) -> None:
        for run in runs:
            self.add(run)

    def get(self, run_id: object) -> Run | None:
        return self.by_id.get(str(run_id))

    def ended(self, run: Run) -> None:
        self.active.pop(str(run.id), None)

    def schedule(self, run: Run) -> None:
        """Remember when ``run`` next changes by itself (time progression)."""
        due = run.due()
        if due is not None and due != run._scheduled_due:
            run._scheduled_due = due
            heapq.heappush(self._due, (due, next(self._tie), run))

    def catch_up(self) -> None:
        """Make every transition due by now, so a list sees one consistent instant.

        Costs O(transitions made), not O(runs stored): due instants wait in a heap, and an
        entry whose run changed since it was pushed is stale and dropped.
        """
        if not self._timed():
            return
        now = self._now()
        heap = self._due
        while heap and heap[0][0] <= now:
            due, _, run = heapq.heappop(heap)
            if due != run._scheduled_due:
                continue
            run._scheduled_due = None
            run._catch_up()
            self.schedule(run)
