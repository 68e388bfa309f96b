"""The built-in vendors, registered the way vendor packs are: by name, imported when needed.

Each line names a ``VendorDefinition`` as ``"module:attribute"``, exactly as a pack's entry
point does (``[project.entry-points."pytest_fakeruns.vendors"]``). The core reads this table
and never imports a vendor module itself; a sixth built-in vendor is one folder under
``vendors/`` and one line here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._definition import VendorDefinition

BUILTIN: dict[str, str] = {
    "workiva": "pytest_fakeruns.vendors.workiva:Workiva",
    "arcgis": "pytest_fakeruns.vendors.arcgis:ArcGIS",
    "kinetic": "pytest_fakeruns.vendors.kinetic:Kinetic",
    "coalesce": "pytest_fakeruns.vendors.coalesce:Coalesce",
    "enterprise_tester": "pytest_fakeruns.vendors.enterprise_tester:EnterpriseTester",
}


def load(target: str) -> type[VendorDefinition]:
    """The definition a ``"module:attribute"`` line names."""
    module, _, attr = target.partition(":")
    found: type[VendorDefinition] = getattr(importlib.import_module(module), attr)
    return found


def builtin_definitions() -> list[type[VendorDefinition]]:
    """The built-in definitions in registry order (the order of ``fake_runs.vendors``)."""
    return [load(target) for target in BUILTIN.values()]
