"""``instant_sleep``: time.sleep and asyncio.sleep advance the fake clock and return at once.

Patched for the test, and put back at its end:

- ``time.sleep`` and ``asyncio.sleep`` themselves, so ``time.sleep(5)`` and
  ``await asyncio.sleep(5)`` (looked up on the module at call time) are covered;
- every module-level name in an already-imported module that is the real ``time.sleep`` or
  ``asyncio.sleep``, so a client that did ``from time import sleep`` or
  ``from asyncio import sleep`` (or ``nap = time.sleep``) is covered too. Modules imported
  during the test get the patched functions anyway, and are put back at the end as well.

Not patched: pytest's, pluggy's, asyncio's and pytest-fakeruns' own modules (their waits stay
real), and references held anywhere but a module's globals (a default argument, a class
attribute, a closure, an object's attribute), which keep the real function.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from ._clock import Clock

# Modules whose own waits must stay real (and ``time`` / ``asyncio``, patched by name below).
_KEEP_REAL = ("time", "asyncio", "_pytest", "pytest", "pluggy", "pytest_fakeruns")


def _kept_real(name: str) -> bool:
    return any(name == keep or name.startswith(keep + ".") for keep in _KEEP_REAL)


def _globals(module: object) -> dict[str, Any] | None:
    namespace = getattr(module, "__dict__", None) if isinstance(module, ModuleType) else None
    return namespace if isinstance(namespace, dict) else None


def _swap(modules: dict[str, Any], swaps: dict[int, Any]) -> list[tuple[dict[str, Any], str, Any]]:
    """Replace, in each module's globals, every value whose id is in ``swaps``; list the undo."""
    undo: list[tuple[dict[str, Any], str, Any]] = []
    for name, module in modules.items():
        if _kept_real(name):
            continue
        namespace = _globals(module)
        if namespace is None:
            continue
        found = [
            (attribute, value) for attribute, value in list(namespace.items()) if id(value) in swaps
        ]
        for attribute, value in found:
            namespace[attribute] = swaps[id(value)]
            undo.append((namespace, attribute, value))
    return undo


@contextlib.contextmanager
def instant_sleep(clock: Clock) -> Iterator[None]:
    """Inside the block, sleeping moves ``clock`` instead of waiting (see the module's doc)."""
    real_sleep = time.sleep
    real_async_sleep = asyncio.sleep

    def sleep(seconds: float) -> None:
        clock.advance(max(0.0, float(seconds)))

    async def async_sleep(delay: float, result: Any = None) -> Any:
        clock.advance(max(0.0, float(delay)))
        return await real_async_sleep(0, result)

    loaded_before = set(sys.modules)
    undo = _swap(dict(sys.modules), {id(real_sleep): sleep, id(real_async_sleep): async_sleep})
    time.sleep = sleep  # type: ignore[assignment]
    asyncio.sleep = async_sleep
    try:
        yield
    finally:
        time.sleep = real_sleep
        asyncio.sleep = real_async_sleep
        for namespace, attribute, value in reversed(undo):
            if namespace.get(attribute) is sleep or namespace.get(attribute) is async_sleep:
                namespace[attribute] = value
        # Modules imported during the test copied the patched functions: give them the real ones.
        loaded_since = {
            name: module for name, module in list(sys.modules.items()) if name not in loaded_before
        }
        _swap(loaded_since, {id(sleep): real_sleep, id(async_sleep): real_async_sleep})
