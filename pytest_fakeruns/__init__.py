"""pytest-fakeruns: five vendors' runs APIs, faked in-process, statefully and faithfully.

The names test authors use. Vendor authors import from :mod:`pytest_fakeruns.vendor_kit`; the
vendor-author names exported here too are kept for compatibility.

The public names load on first use (PEP 562), so ``pytest`` start-up with the plugin installed
imports none of the engine: see ``_plugin.py`` and tests/test_import_cost.py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._clock import Clock
    from ._definition import Context, DeprecationSpec, VendorDefinition, VendorError
    from ._errors import DeprecatedEndpointWarning, FakeRunsError, InvalidTransition
    from ._fake import FakeRuns
    from ._faults import Fault
    from ._generator import Gen
    from ._http import Request, Response
    from ._journal import Call
    from ._openapi import document as openapi_document
    from ._router import Route
    from ._run import Run
    from ._states import State
    from ._store import Parent
    from ._vendor_fake import VendorFake
    from ._vocabulary import Step, Vocabulary

    __version__: str

# public name -> the module that defines it (and its name there, when it differs)
_RENAMED = {"openapi_document": "document"}
_HOMES = {
    "Call": "_journal",
    "Clock": "_clock",
    "Context": "_definition",
    "DeprecatedEndpointWarning": "_errors",
    "DeprecationSpec": "_definition",
    "FakeRuns": "_fake",
    "FakeRunsError": "_errors",
    "Fault": "_faults",
    "Gen": "_generator",
    "InvalidTransition": "_errors",
    "Parent": "_store",
    "Request": "_http",
    "Response": "_http",
    "Route": "_router",
    "Run": "_run",
    "State": "_states",
    "Step": "_vocabulary",
    "VendorDefinition": "_definition",
    "VendorError": "_definition",
    "VendorFake": "_vendor_fake",
    "Vocabulary": "_vocabulary",
    "openapi_document": "_openapi",
}

__all__ = [
    "Call",
    "Clock",
    "Context",
    "DeprecatedEndpointWarning",
    "DeprecationSpec",
    "FakeRuns",
    "FakeRunsError",
    "Fault",
    "Gen",
    "InvalidTransition",
    "Parent",
    "Request",
    "Response",
    "Route",
    "Run",
    "State",
    "Step",
    "VendorDefinition",
    "VendorError",
    "VendorFake",
    "Vocabulary",
    "openapi_document",
]


def _load_public() -> None:
    """Import every public name at once and present it as ``pytest_fakeruns.<name>``."""
    namespace = globals()
    for name in __all__:
        module = importlib.import_module(f"{__name__}.{_HOMES[name]}")
        obj = getattr(module, _RENAMED.get(name, name))
        if getattr(obj, "__module__", "").startswith("pytest_fakeruns."):
            obj.__module__ = "pytest_fakeruns"
        namespace[name] = obj


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pytest-fakeruns")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        _load_public()
        return globals()[name]
    if name == "__version__":
        found = globals()["__version__"] = _version()
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})
