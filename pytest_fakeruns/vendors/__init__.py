"""The built-in vendors: one package each, ``vendors/<name>/``, with the same roles in every one.

``__init__.py`` exports the definition class, ``definition.py`` holds the ``VendorDefinition``
subclass (class data, vocabulary, routes table, auth, error envelope), ``handlers.py`` the route
handlers, ``data.py`` parents, ``run_fields`` and serialisation; extra modules have
self-explaining names. Helpers shared by several vendors live in ``vendors/common/``. Vendor
modules import only :mod:`pytest_fakeruns.vendor_kit`, their own package, ``vendors/common``
and the standard library (tests/test_import_boundaries.py).

The vendors are registered in ``pytest_fakeruns/_registry.py``; the two names below are kept
as aliases of the registry for code that imported them from here.
"""

from __future__ import annotations

from .._registry import BUILTIN, builtin_definitions

__all__ = ["BUILTIN", "builtin_definitions"]
