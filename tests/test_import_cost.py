"""Importing the plugin stays cheap: the heavy libraries load when a fixture is first used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("faker", "freezegun", "responses", "httpx")


@pytest.mark.parametrize("module", ["pytest_fakeruns", "pytest_fakeruns._plugin"])
def test_importing_loads_none_of_the_heavy_libraries(module: str) -> None:
    code = (
        "import json, sys\n"
        f"import {module}\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert json.loads(out.stdout) == []


def test_the_check_itself_sees_a_heavy_import() -> None:
    """The probe is live: using a fake loads each of them (httpx only when the code under
    test imports it: the fake patches it then, see below)."""
    code = (
        "import json, sys\n"
        "from pytest_fakeruns import FakeRuns\n"
        "fake = FakeRuns(seed=1)\n"
        "fake.coalesce.add_runs(3)\n"
        "with fake, fake.clock.freeze():\n"
        "    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert set(json.loads(out.stdout)) == set(HEAVY) - {"httpx"}


def test_pytest_start_up_with_the_plugin_loads_none_of_them(pytester: pytest.Pytester) -> None:
    """Other plugins (Faker's own) are kept out, so only pytest-fakeruns is measured."""
    pytester.makeconftest(
        f"""
        import json, sys

        def pytest_collection_finish(session):
            print("HEAVY", json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
        """
    )
    # the test uses the fixture, so the plugin is surely active; heavy imports may come then
    pytester.makepyfile("def test_uses_the_fake(fake_runs):\n    fake_runs.coalesce.add_runs(1)\n")
    result = pytester.runpytest_subprocess("-s", "-p", "pytest_fakeruns._plugin")
    result.assert_outcomes(passed=1)
    loaded = [line for line in result.outlines if line.startswith("HEAVY")]
    assert loaded == ["HEAVY []"]


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if "pytester" in request.fixturenames:
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


ENGINE_FREE = {"pytest_fakeruns", "pytest_fakeruns._plugin", "pytest_fakeruns._hookspecs"}


def test_importing_the_package_loads_no_module_of_the_engine() -> None:
    """The public names load on first use: ``import pytest_fakeruns`` runs nothing else."""
    code = (
        "import json, sys\n"
        "import pytest_fakeruns._plugin\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('pytest_fakeruns'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert set(json.loads(out.stdout)) <= ENGINE_FREE


def test_a_public_name_loads_them_all_as_pytest_fakeruns_names() -> None:
    code = (
        "import json, sys\n"
        "from pytest_fakeruns import Fault\n"
        "import pytest_fakeruns\n"
        "print(json.dumps([getattr(pytest_fakeruns, n).__module__\n"
        "                  for n in pytest_fakeruns.__all__]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert set(json.loads(out.stdout)) == {"pytest_fakeruns"}


def test_pytest_start_up_imports_only_the_plugin_surface(pytester: pytest.Pytester) -> None:
    """Registering the fixture, marker, options and hooks needs none of the engine; a test
    that never takes ``fake_runs`` never loads it."""
    pytester.makeconftest(
        """
        import json, sys

        def pytest_collection_finish(session):
            print("LOADED", json.dumps(sorted(
                m for m in sys.modules if m.startswith("pytest_fakeruns"))))
        """
    )
    pytester.makepyfile("def test_without_the_fixture():\n    pass\n")
    result = pytester.runpytest_subprocess("-s", "-p", "pytest_fakeruns._plugin")
    result.assert_outcomes(passed=1)
    loaded = [
        json.loads(line.split(" ", 1)[1]) for line in result.outlines if line.startswith("LOADED")
    ]
    assert len(loaded) == 1 and set(loaded[0]) <= ENGINE_FREE, loaded


def test_httpx_imported_after_the_fake_started_is_still_faked() -> None:
    """The fake never imports httpx itself; a test that imports it later is intercepted, and
    stopping the fake restores httpx's own transports."""
    code = (
        "import json, sys\n"
        "from pytest_fakeruns import FakeRuns\n"
        "fake = FakeRuns(seed=1)\n"
        "fake.start()\n"
        "before = 'httpx' in sys.modules\n"
        "import httpx\n"
        "real = httpx.HTTPTransport.__dict__['handle_request']\n"
        "r = httpx.get(fake.coalesce.base_url + '/api/v1/runs',\n"
        "              headers={'Authorization': 'Bearer t'})\n"
        "patched = real.__module__\n"
        "fake.stop()\n"
        "restored = httpx.HTTPTransport.__dict__['handle_request'].__module__\n"
        "print(json.dumps([before, r.status_code, [c.path for c in fake.calls], patched,\n"
        "                  restored]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert json.loads(out.stdout) == [
        False,
        200,
        ["/api/v1/runs"],
        "pytest_fakeruns._transport_httpx",
        "httpx._transports.default",
    ]


def test_a_suite_that_never_uses_httpx_never_imports_it(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import sys

        def pytest_sessionfinish(session):
            print("HTTPX", "httpx" in sys.modules)
        """
    )
    pytester.makepyfile(
        """
        import requests

        def test_requests_only(fake_runs):
            r = requests.get(fake_runs.coalesce.base_url + "/api/v1/runs",
                             headers={"Authorization": "Bearer t"})
            assert r.status_code == 200
        """
    )
    result = pytester.runpytest_subprocess("-s", "-p", "pytest_fakeruns._plugin")
    result.assert_outcomes(passed=1)
    seen = [line.split("HTTPX ", 1)[1] for line in result.outlines if "HTTPX " in line]
    assert seen == ["False"]
