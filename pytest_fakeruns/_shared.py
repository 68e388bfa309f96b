"""What every fake shares, built once per process and read-only afterwards.

A vendor definition is data and methods: its route table, vocabulary and envelopes are the
same for every test. So each definition class is instantiated once and its routes compiled
into one :class:`~._router.Router`, shared by every ``FakeRuns`` of the process; what a test
changes (runs, parents, faults, clock, deprecations, ``require_auth``, the journal) lives in
its own ``FakeRuns`` and ``VendorFake`` (tests/test_isolation.py).

A definition that carries instance state (its ``__init__`` or ``routes()`` set attributes),
or one handed over as an instance, is not shared: it gets its own router, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._router import Router

if TYPE_CHECKING:
    from ._definition import VendorDefinition

_COMPILED: dict[type[VendorDefinition], tuple[VendorDefinition, Router]] = {}


def compile_routes(definition: VendorDefinition) -> Router:
    router = Router()
    for route in definition.routes():
        router.add(route)
    return router


def compiled(
    item: type[VendorDefinition] | VendorDefinition,
) -> tuple[VendorDefinition, Router]:
    """The definition ``item`` names (a class: its shared instance) and its router."""
    if not isinstance(item, type):
        return item, compile_routes(item)
    found = _COMPILED.get(item)
    if found is None:
        definition = item()
        router = compile_routes(definition)
        if vars(definition):  # state of its own: every fake gets a fresh one
            return definition, router
        found = _COMPILED.setdefault(item, (definition, router))
    return found


_ONCE: dict[Callable[[], list[type[VendorDefinition]]], list[type[VendorDefinition]]] = {}


def built_in(load: Callable[[], list[type[VendorDefinition]]]) -> list[type[VendorDefinition]]:
    """``load()`` (the registry's built-in definition classes), imported once per process."""
    found = _ONCE.get(load)
    if found is None:
        found = _ONCE.setdefault(load, list(load()))
    return found
