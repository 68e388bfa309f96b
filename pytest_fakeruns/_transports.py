"""The in-process transport adapters, in one table; heavy imports happen here only.

Each adapter module has ``installed(fake)``, a context manager that intercepts its library
until exit and yields what the fake keeps of it (the ``responses`` mock for requests). Every
adapter asks ``fake.resolve(url)`` once per request and acts on the one answer.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._fake import FakeRuns


@dataclass(frozen=True)
class Adapter:
    name: str  # the key in FakeRuns' installed transports
    library: str  # installed only when this library is importable
    module: str  # the adapter module, below pytest_fakeruns


ADAPTERS = (
    Adapter("requests", "responses", "._transport_responses"),
    Adapter("httpx", "httpx", "._transport_httpx"),
)


def available(library: str) -> bool:
    return importlib.util.find_spec(library) is not None


def httpx_available() -> bool:
    return available("httpx")


def install_all(fake: FakeRuns, stack: contextlib.ExitStack) -> dict[str, Any]:
    """Install every adapter whose library is importable; uninstalled when ``stack`` closes."""
    installed: dict[str, Any] = {}
    for adapter in ADAPTERS:
        if available(adapter.library):
            module = importlib.import_module(adapter.module, __package__)
            installed[adapter.name] = stack.enter_context(module.installed(fake))
    return installed
