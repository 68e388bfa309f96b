"""Run a callback when a module is first imported: patch httpx only if a test imports it.

A fake that starts before ``httpx`` was imported registers a callback instead of importing
``httpx`` itself (an import the whole session would pay for, used or not); the callback patches
``httpx`` right after it is imported, if it ever is, while the fake is active.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

Callback = Callable[[ModuleType], None]

_lock = threading.RLock()
_pending: dict[str, list[Callback]] = {}


class _Loader(importlib.abc.Loader):
    """The module's own loader, then the callbacks waiting for it."""

    def __init__(self, real: Any, name: str) -> None:
        self._real = real
        self._name = name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self._real.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        # the module looks exactly as if imported normally
        module.__loader__ = self._real
        if module.__spec__ is not None:
            module.__spec__.loader = self._real
        self._real.exec_module(module)
        with _lock:
            callbacks = _pending.pop(self._name, [])
            _uninstall_if_idle()
        for callback in callbacks:
            callback(module)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self._busy = threading.local()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not _pending.get(fullname) or getattr(self._busy, "on", False):
            return None
        self._busy.on = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.on = False
        if spec is None or spec.loader is None:
            return None
        spec.loader = _Loader(spec.loader, fullname)
        return spec


_finder = _Finder()


def _uninstall_if_idle() -> None:
    if not _pending and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)


def pending(name: str) -> int:
    """How many callbacks wait for ``name`` (tests)."""
    with _lock:
        return len(_pending.get(name, []))


def after_import(name: str, callback: Callback) -> Callable[[], None]:
    """Call ``callback(module)`` once ``name`` is imported (now, if it already is).

    Returns a function that cancels the callback if it has not run yet.
    """
    with _lock:
        module = sys.modules.get(name)
        if module is None:
            _pending.setdefault(name, []).append(callback)
            if _finder not in sys.meta_path:
                sys.meta_path.insert(0, _finder)
    if module is not None:
        callback(module)
        return lambda: None

    def cancel() -> None:
        # the finder stays until the module is imported: re-inserting it for every fake
        # would cost more than its one dict lookup per import
        with _lock:
            waiting = _pending.get(name)
            if waiting is not None and callback in waiting:
                waiting.remove(callback)
                if not waiting:
                    del _pending[name]

    return cancel
