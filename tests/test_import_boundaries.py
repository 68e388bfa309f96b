"""The layers stay apart (docs/architecture.md), checked on the imports themselves (``ast``).

- The core never imports a vendor (``pytest_fakeruns.vendors``) and, outside the transport
  layer and the front ends that start it, never imports a transport (``_transport_*``,
  ``_server``).
- A vendor module (built-in or the example pack) imports only ``pytest_fakeruns.vendor_kit``,
  its own package, ``pytest_fakeruns.vendors.common`` and the standard library: never the
  engine (``_fake``, ``_vendor_fake``, any other underscore module) nor a transport.
- A vendor module reads no private attribute of a core object (``ctx.vendor._x``, ``run._x``):
  what it needs is public in the kit.
- Every vendor folder has the same roles and is one line of the registry.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

from pytest_fakeruns import VendorDefinition
from pytest_fakeruns._registry import BUILTIN

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pytest_fakeruns"
VENDORS = PACKAGE / "vendors"
PACK = ROOT / "examples" / "vendor_pack" / "src"

# the transport layer, and the front ends that start it (the fixtures, `fakeruns serve`)
TRANSPORT_LAYER = {"_transports", "_server"}
FRONT_ENDS = {"_plugin", "_cli", "__main__"}
KIT = "pytest_fakeruns.vendor_kit"
COMMON = "pytest_fakeruns.vendors.common"
# vendors/__init__.py re-exports the registry for code that imported it from there
VENDOR_ALIASES = {"pytest_fakeruns.vendors"}
ROLES = ("__init__.py", "definition.py", "handlers.py", "data.py")


def module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str, is_package: bool) -> list[str]:
    """Every module ``source`` imports (relative ones resolved), TYPE_CHECKING ones too."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append(target)
            # `from . import data` imports the module pytest_fakeruns.vendors.x.data
            found.extend(f"{target}.{alias.name}" for alias in node.names if not node.module)
    return found


def is_transport(name: str) -> bool:
    last = name.rpartition(".")[2]
    return name.startswith("pytest_fakeruns.") and (
        last.startswith("_transport_") or last == "_server"
    )


def core_violations(module: str, source: str) -> list[str]:
    short = module.rpartition(".")[2]
    bad = []
    for name in imports(source, module, short == "pytest_fakeruns"):
        if name == "pytest_fakeruns.vendors" or name.startswith("pytest_fakeruns.vendors."):
            bad.append(f"{module} imports the vendor module {name} (read the registry instead)")
        elif is_transport(name) and short not in TRANSPORT_LAYER | FRONT_ENDS:
            bad.append(f"{module} imports the transport {name}")
    return bad


def vendor_violations(module: str, source: str, own: str, is_package: bool) -> list[str]:
    """``own``: the vendor's package (``pytest_fakeruns.vendors.coalesce``, ``fakeruns_acme``)."""
    bad = []
    for name in imports(source, module, is_package):
        top = name.partition(".")[0]
        allowed = (
            name in (KIT, own, COMMON)
            or name.startswith((own + ".", COMMON + "."))
            or top in sys.stdlib_module_names
        )
        if not allowed:
            bad.append(
                f"{module} imports {name}; a vendor module imports only {KIT}, its own "
                f"package, {COMMON} and the standard library"
            )
    return bad


def private_reads(source: str) -> list[str]:
    """Every ``obj._name`` in ``source`` whose object is not ``self`` or ``cls``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
            continue
        if node.attr.startswith("__") or (
            isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        ):
            continue
        found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def _core_modules() -> list[Path]:
    return sorted(PACKAGE.glob("*.py"))


def _vendor_modules() -> list[tuple[Path, str, str]]:
    """(path, module, own package) of every vendor module, built-in and example pack."""
    found = []
    for path in sorted(VENDORS.rglob("*.py")):
        module = module_name(path, ROOT)
        if module in VENDOR_ALIASES:
            continue
        parts = module.split(".")
        own = ".".join(parts[:3])  # pytest_fakeruns.vendors.<name> (or .common)
        found.append((path, module, own))
    for path in sorted(PACK.rglob("*.py")):
        module = module_name(path, PACK)
        found.append((path, module, module.split(".")[0]))
    return found


@pytest.mark.parametrize("path", _core_modules(), ids=lambda p: p.name)
def test_the_core_imports_no_vendor_and_no_transport(path: Path) -> None:
    module = module_name(path, ROOT)
    assert core_violations(module, path.read_text()) == []


@pytest.mark.parametrize(
    ("path", "module", "own"), _vendor_modules(), ids=lambda v: v if isinstance(v, str) else None
)
def test_a_vendor_module_imports_only_the_kit(path: Path, module: str, own: str) -> None:
    is_package = path.name == "__init__.py"
    assert vendor_violations(module, path.read_text(), own, is_package) == []


@pytest.mark.parametrize(
    ("path", "module", "own"), _vendor_modules(), ids=lambda v: v if isinstance(v, str) else None
)
def test_a_vendor_module_reads_no_private_attribute(path: Path, module: str, own: str) -> None:
    assert private_reads(path.read_text()) == []


def test_the_checks_see_a_violation() -> None:
    """The probes are live: each rule flags the import it forbids, relative or absolute."""
    vendor = "pytest_fakeruns.vendors.coalesce.handlers"
    own = "pytest_fakeruns.vendors.coalesce"
    for source in (
        "from ..._fake import FakeRuns\n",
        "from pytest_fakeruns._vendor_fake import VendorFake\n",
        "from ... import _transport_httpx\n",
        "from ..kinetic import data\n",
        "import requests\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..._run import Run\n",
    ):
        assert vendor_violations(vendor, source, own, False), source
    assert (
        vendor_violations(
            vendor,
            "from ..common.odata import Field\nfrom . import data\n"
            "from pytest_fakeruns.vendor_kit import Run\nimport re\n",
            own,
            False,
        )
        == []
    )
    assert private_reads("dep = ctx.vendor._deprecation_for(route, path)\n")
    assert private_reads("owner = run._owner\n")
    assert private_reads("self._cache = {}\nname = type(run).__name__\n") == []
    assert core_violations("pytest_fakeruns._fake", "from .vendors import builtin_definitions\n")
    assert core_violations("pytest_fakeruns._fake", "from . import _server\n")
    assert core_violations("pytest_fakeruns._vendor_fake", "from ._transport_httpx import x\n")
    assert core_violations("pytest_fakeruns._plugin", "from ._server import serving\n") == []


def test_every_vendor_folder_is_one_registry_line_with_the_fixed_roles() -> None:
    folders = sorted(
        p.name for p in VENDORS.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )
    assert sorted([*BUILTIN, "common"]) == folders
    for name, target in BUILTIN.items():
        assert target.startswith(f"pytest_fakeruns.vendors.{name}:"), target
        for role in ROLES:
            assert (VENDORS / name / role).is_file(), f"vendors/{name}/{role}"
        module, _, attr = target.partition(":")
        definition = getattr(importlib.import_module(module), attr)
        assert issubclass(definition, VendorDefinition)
        assert definition.name == name
        assert definition.__module__ == f"{module}.definition"


def test_the_vendor_kit_exports_what_it_lists() -> None:
    kit = importlib.import_module(KIT)
    assert sorted(kit.__all__) == sorted(set(kit.__all__))
    for name in kit.__all__:
        assert hasattr(kit, name), name
    for name in (
        "VendorDefinition",
        "Context",
        "Route",
        "VendorError",
        "DeprecationSpec",
        "Vocabulary",
        "Step",
        "Position",
        "Parent",
        "Gen",
        "Run",
        "State",
        "Request",
        "Response",
        "FakeRunsError",
        "SHARED_SLOT",
        "json_response",
        "dump_json",
        "parse_int",
        "parse_bool",
        "parse_instant",
        "one_of",
        "iso_seconds",
    ):
        assert name in kit.__all__, name
