"""The package as a user gets it: build it, check it, install the wheel into a fresh virtual
environment, and run a ``fake_runs`` test there, outside the checkout.

Offline and fast: the build runs without isolation (the backend comes from this environment,
see the ``test`` extra); the fresh venv is made without pip, the current environment's pip
installs the wheel into it with ``--no-deps``, and the wheel's dependencies come from this
environment through a ``.pth`` file naming a folder of links to exactly those distributions (not
this environment's editable pytest-fakeruns, nor anything else installed here).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parent.parent

TEST = """
import requests

import pytest_fakeruns


def test_the_installed_wheel(fake_runs):
    assert "{site}" in pytest_fakeruns.__file__      # the wheel, never the checkout
    fake_runs.coalesce.add_runs(3, environment_id="7")
    page = requests.get(
        "https://app.coalescesoftware.io/api/v1/runs",
        params={{"environmentID": "7"}},
        headers={{"Authorization": "Bearer t0k3n"}},
    ).json()
    assert len(page["data"]) == 3
"""


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "PYTHON", "VIRTUAL_ENV", "PIP_"))
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def dependency_closure(name: str) -> list[metadata.Distribution]:
    """The installed distributions ``name`` needs at run time (markers evaluated, no extras)."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [Requirement(line) for line in metadata.requires(name) or []]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        key = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if key in seen:
            continue
        seen[key] = dist = metadata.distribution(requirement.name)
        pending.extend(Requirement(line) for line in dist.requires or [])
    return list(seen.values())


def link_distributions(dists: list[metadata.Distribution], folder: Path) -> None:
    """Links, in ``folder``, to each distribution's top-level files and its metadata folder."""
    folder.mkdir()
    for dist in dists:
        for file in dist.files or []:
            top = file.parts[0]
            if top in ("..", "__pycache__") or top.endswith(".pth") or (folder / top).exists():
                continue
            source = Path(str(dist.locate_file(top)))
            if source.exists():
                (folder / top).symlink_to(source)


def test_the_built_wheel_installs_into_a_fresh_venv_and_runs_a_fake_runs_test(
    tmp_path: Path,
) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT)
    [wheel] = dist.glob("*.whl")
    [sdist] = dist.glob("*.tar.gz")
    run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist)

    packaged = {
        name for name in zipfile.ZipFile(wheel).namelist() if name.startswith("pytest_fakeruns/")
    }
    source = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "pytest_fakeruns").rglob("*.py")
    }
    assert source <= packaged and "pytest_fakeruns/py.typed" in packaged
    assert not {name for name in packaged if name.endswith(".py")} - source, "stale modules"

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    )
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        wheel,
    )
    deps = tmp_path / "deps"
    link_distributions(dependency_closure("pytest-fakeruns"), deps)
    (site / "fakeruns_test_deps.pth").write_text(f"{deps}\n", encoding="utf-8")

    project = tmp_path / "project"
    project.mkdir()
    (project / "test_installed.py").write_text(TEST.format(site=site), encoding="utf-8")
    result = run(python, "-m", "pytest", "-p", "no:cacheprovider", "-q", cwd=project)
    assert "1 passed" in result.stdout, result.stdout
    assert "usage" in run(venv / "bin" / "fakeruns", "--help").stdout.lower()
