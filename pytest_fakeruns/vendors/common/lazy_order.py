"""A parent's runs in a vendor's list order, kept up to date when a list is read.

Cheaper than a store index for ``add_runs(100_000)``: nothing is done per stored run, and a
read costs O(runs added since the last read) (a re-sort only when one sorts before the end).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_fakeruns.vendor_kit import Parent, Run


def ordered(parent: Parent, name: str, key: Callable[[Run], Any]) -> list[Run]:
    """``parent.runs`` ascending by ``key`` (cached in ``parent.data[name]``)."""
    cache: list[Run] = parent.data.setdefault(name, [])
    runs = parent.runs
    if len(cache) != len(runs):
        fresh = runs[len(cache) :]
        last = key(cache[-1]) if cache else None
        in_order = True
        for run in fresh:
            k = key(run)
            if last is not None and k < last:
                in_order = False
            last = k
        cache.extend(fresh)
        if not in_order:
            cache.sort(key=key)
    return cache
