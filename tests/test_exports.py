"""The public names of api.md exist, are exported, and are what the fixtures hand out."""

from __future__ import annotations

import pytest

import pytest_fakeruns
from pytest_fakeruns._registry import BUILTIN

PUBLIC = (
    "FakeRuns",
    "Clock",
    "VendorFake",
    "Run",
    "Fault",
    "Call",
    "FakeRunsError",
    "InvalidTransition",
    "DeprecatedEndpointWarning",
)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_exported(name: str) -> None:
    assert name in pytest_fakeruns.__all__
    assert getattr(pytest_fakeruns, name).__module__ == "pytest_fakeruns"


def test_every_exported_name_exists() -> None:
    for name in pytest_fakeruns.__all__:
        assert hasattr(pytest_fakeruns, name), name


def test_exception_hierarchy() -> None:
    assert issubclass(pytest_fakeruns.InvalidTransition, pytest_fakeruns.FakeRunsError)
    assert issubclass(pytest_fakeruns.DeprecatedEndpointWarning, UserWarning)


def test_fixture_objects_are_instances_of_the_exports(fake_runs: pytest_fakeruns.FakeRuns) -> None:
    run = fake_runs.coalesce.add_run()
    fault = fake_runs.inject(status=500, vendor="kinetic")
    assert isinstance(fake_runs, pytest_fakeruns.FakeRuns)
    assert isinstance(fake_runs.clock, pytest_fakeruns.Clock)
    assert isinstance(fake_runs.coalesce, pytest_fakeruns.VendorFake)
    assert isinstance(run, pytest_fakeruns.Run)
    assert isinstance(fault, pytest_fakeruns.Fault)
    assert run.vendor == "coalesce" and isinstance(run.id, int)


def test_unknown_vendor_names_the_known_ones(fake_runs: pytest_fakeruns.FakeRuns) -> None:
    with pytest.raises(KeyError, match=r"unknown vendor 'github'.*" + ", ".join(BUILTIN)):
        fake_runs.vendor("github")


def test_version_comes_from_package_metadata() -> None:
    from importlib.metadata import version

    assert pytest_fakeruns.__version__ == version("pytest-fakeruns")
