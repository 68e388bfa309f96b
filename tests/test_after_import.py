"""``after_import``: what lets the fake patch httpx only if the code under test imports it."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from pytest_fakeruns._after_import import after_import, pending


@pytest.fixture
def module_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"fakeruns_probe_{tmp_path.name}".replace("-", "_")
    (tmp_path / f"{name}.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_the_callback_runs_once_the_module_is_imported(module_name: str) -> None:
    seen: list[tuple[str, int]] = []

    after_import(module_name, lambda m: seen.append((m.__name__, m.VALUE)))
    assert seen == [] and module_name not in sys.modules
    module = importlib.import_module(module_name)

    assert seen == [(module_name, 42)]
    assert pending(module_name) == 0
    # the module looks exactly as if imported without the hook
    assert type(module.__loader__).__name__ == "SourceFileLoader"
    assert module.__spec__ is not None and module.__spec__.loader is module.__loader__
    assert not any(type(f).__name__ == "_Finder" for f in sys.meta_path)


def test_a_cancelled_callback_never_runs(module_name: str) -> None:
    seen: list[str] = []
    cancel = after_import(module_name, lambda m: seen.append("first"))
    after_import(module_name, lambda m: seen.append("second"))
    cancel()

    importlib.import_module(module_name)

    assert seen == ["second"]


def test_an_imported_module_gets_the_callback_at_once(module_name: str) -> None:
    importlib.import_module(module_name)
    seen: list[ModuleType] = []

    after_import(module_name, seen.append)

    assert seen == [sys.modules[module_name]]
