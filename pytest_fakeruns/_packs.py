"""Vendor packs: extra ``VendorDefinition`` classes from other installed distributions.

A pack declares its definitions in the ``pytest_fakeruns.vendors`` entry-point group; the pytest
plugin and ``fakeruns serve`` both load that group. A conftest or plugin can also return
definitions from the ``pytest_fakeruns_vendors`` hook (pytest only).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import TypeAlias

from ._definition import VendorDefinition
from ._errors import FakeRunsError

ENTRY_POINT_GROUP = "pytest_fakeruns.vendors"

Definition: TypeAlias = type[VendorDefinition] | VendorDefinition


def as_definitions(obj: object, where: str) -> list[Definition]:
    """``obj`` as a list of definitions: one definition (class or instance) or a list of them."""
    items: list[object] = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    found: list[Definition] = []
    for item in items:
        if isinstance(item, VendorDefinition) or (
            isinstance(item, type) and issubclass(item, VendorDefinition)
        ):
            found.append(item)
        else:
            raise FakeRunsError(
                f"{where} gave {item!r}; a vendor pack provides VendorDefinition subclasses "
                "(or a list of them)"
            )
    return found


def entry_point_packs() -> list[Definition]:
    """Every definition the installed distributions declare in ``pytest_fakeruns.vendors``."""
    found: list[Definition] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        where = f"vendor pack entry point {ep.name} = {ep.value} (group {ENTRY_POINT_GROUP})"
        try:
            obj = ep.load()
        except Exception as exc:
            raise FakeRunsError(f"{where} failed to load: {exc!r}") from exc
        found.extend(as_definitions(obj, where))
    return found


def merge(*groups: Iterable[Definition]) -> list[Definition]:
    """The groups joined in order, each definition once (a pack found twice is one pack)."""
    seen: set[int] = set()
    out: list[Definition] = []
    for group in groups:
        for item in group:
            if id(item) not in seen:
                seen.add(id(item))
                out.append(item)
    return out
