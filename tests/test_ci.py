"""``.ci/run`` runs exactly the README's commands and leaves no virtual environment behind."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / ".ci" / "run"


def readme_test_commands() -> list[str]:
    """The quick start's install-and-test block: the one that runs pytest."""
    quick_start = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start")[1]
    quick_start = quick_start.split("\n## ")[0]
    blocks = re.findall(r"```\n(.*?)```", quick_start, re.DOTALL)
    [commands] = [block for block in blocks if "python -m pytest" in block]
    return [line.strip() for line in commands.splitlines() if line.strip()]


def test_ci_runs_exactly_the_readme_test_commands() -> None:
    # pip's --quiet aside, which changes what is printed, not what is done
    lines = {
        line.strip().replace(" --quiet", "") for line in CI.read_text(encoding="utf-8").splitlines()
    }
    commands = readme_test_commands()

    assert len(commands) >= 2
    for command in commands:
        # the README chains install && examples; the script runs the two halves in turn
        for part in command.split(" && "):
            assert part in lines, f".ci/run does not run the README's {part!r}"


@pytest.mark.install
def test_ci_removes_the_virtual_environments_it_creates(tmp_path: Path) -> None:
    """Made to fail at the install step (no package index), after its venv exists."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "PYTHON", "VIRTUAL_ENV", "PIP_"))
    }
    # No index and no wheel folders: the install fails, fast. Should it ever get further,
    # pytest only collects, so the suite never runs inside itself.
    env.update(
        TMPDIR=str(scratch),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS="",
        PIP_CONFIG_FILE=os.devnull,
        PYTEST_ADDOPTS="--collect-only -q",
    )
    done = subprocess.run(
        ["bash", "-x", str(CI)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode != 0, done.stderr
    assert " -m venv " in done.stderr, done.stderr  # it did make a virtual environment
    assert "+ rm -rf " in done.stderr, done.stderr  # and the exit trap ran
    assert list(scratch.iterdir()) == [], "left behind: " + ", ".join(
        str(path) for path in scratch.rglob("*")
    )
