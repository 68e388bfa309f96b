"""The in-process transport adapters, in one table; heavy imports happen here only.

Each adapter module has ``installed(fake)``, a context manager that intercepts its library
until exit and yields what the fake keeps of it (the ``responses`` mock for requests). Every
adapter asks ``fake.resolve(url)`` once per request and acts on the one answer.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._after_import import after_import

if TYPE_CHECKING:
    from ._fake import FakeRuns


@dataclass(frozen=True)
class Adapter:
    name: str  # the key in FakeRuns' installed transports
    library: str  # installed only when this library is importable
    module: str  # the adapter module, below pytest_fakeruns
    # installed at start even when the library is not imported yet (requests: the fake's
    # ``responses`` mock exists from the start, for the test's own mocks)
    eager: bool = False


ADAPTERS = (
    Adapter("requests", "responses", "._transport_responses", eager=True),
    Adapter("httpx", "httpx", "._transport_httpx"),
)


@functools.cache
def available(library: str) -> bool:
    """Whether ``library`` is installed (looked up once per process)."""
    return library in sys.modules or importlib.util.find_spec(library) is not None


def httpx_available() -> bool:
    return available("httpx")


def install_all(fake: FakeRuns, stack: contextlib.ExitStack) -> dict[str, Any]:
    """Install every adapter whose library is importable; uninstalled when ``stack`` closes.

    An adapter whose library is installed but not imported yet (a suite that never uses
    httpx) is installed when the library is first imported, if that happens while the fake is
    active: the fake itself never imports it.
    """
    installed: dict[str, Any] = {}
    for adapter in ADAPTERS:
        if adapter.library in sys.modules or (adapter.eager and available(adapter.library)):
            installed[adapter.name] = _install(adapter, fake, stack)
        elif available(adapter.library):
            stack.callback(after_import(adapter.library, _later(adapter, fake, stack, installed)))
    return installed


def read_timeout(value: object) -> float | None:
    """The read timeout in seconds from what a client was given: a number, a ``(connect,
    read)`` tuple, or an object with ``read_timeout`` (urllib3's ``Timeout``); None: none."""
    if isinstance(value, tuple) and len(value) == 2:
        value = value[1]
    elif value is not None and not isinstance(value, (int, float)):
        value = getattr(value, "read_timeout", None)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _install(adapter: Adapter, fake: FakeRuns, stack: contextlib.ExitStack) -> Any:
    module = importlib.import_module(adapter.module, __package__)
    return stack.enter_context(module.installed(fake))


def _later(
    adapter: Adapter, fake: FakeRuns, stack: contextlib.ExitStack, installed: dict[str, Any]
) -> Callable[[ModuleType], None]:
    def install(_: ModuleType) -> None:
        installed[adapter.name] = _install(adapter, fake, stack)

    return install
