"""The built-in vendors: one module each; adding a vendor is one module and one line here."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._definition import VendorDefinition

BUILTIN = {
    "workiva": "pytest_fakeruns.vendors.workiva:Workiva",
    "arcgis": "pytest_fakeruns.vendors.arcgis:ArcGIS",
    "kinetic": "pytest_fakeruns.vendors.kinetic:Kinetic",
    "coalesce": "pytest_fakeruns.vendors.coalesce:Coalesce",
    "enterprise_tester": "pytest_fakeruns.vendors.enterprise_tester:EnterpriseTester",
}


def builtin_definitions() -> list[type[VendorDefinition]]:
    found = []
    for target in BUILTIN.values():
        module, _, attr = target.partition(":")
        found.append(getattr(importlib.import_module(module), attr))
    return found
