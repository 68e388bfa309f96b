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
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)

    assert json.loads(out.stdout) == []


def test_the_check_itself_sees_a_heavy_import() -> None:
    """The probe is live: using a fake loads each of them."""
    code = (
        "import json, sys\n"
        "from pytest_fakeruns import FakeRuns\n"
        "fake = FakeRuns(seed=1)\n"
        "fake.coalesce.add_runs(3)\n"
        "with fake, fake.clock.freeze():\n"
        "    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)

    assert set(json.loads(out.stdout)) == set(HEAVY)
