"""pytest-fakeruns: five vendors' runs APIs, faked in-process, statefully and faithfully.

The names test authors use. Vendor authors import from :mod:`pytest_fakeruns.vendor_kit`; the
vendor-author names exported here too are kept for compatibility.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("pytest-fakeruns")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

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

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("pytest_fakeruns."):
        _obj.__module__ = "pytest_fakeruns"
del _name, _obj
