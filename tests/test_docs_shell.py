"""The docs' shell examples (curl against the control plane) run, and pass.

A ```sh block that starts with ``#!/bin/sh`` is a script: it runs with ``FAKERUNS_URL`` set to
a served fake's root, once against ``fake_runs_server`` and once against ``fakeruns serve``.
Skipped only where curl is missing outside CI.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from pytest_fakeruns import FakeRuns

from ._cli_process import BOUND, Serve, serve

__all__ = ["serve"]  # the fixture, imported for this module's tests

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```sh\n(#!/bin/sh\n.*?)```", re.DOTALL)


def scripts() -> list[tuple[str, str]]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, block in enumerate(BLOCK.findall(doc.read_text(encoding="utf-8"))):
            found.append((f"{doc.name}#sh{i}", block))
    return found


def run_script(code: str, url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("curl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("curl is missing; CI must run the docs' curl examples")
        pytest.skip("curl is not installed")
    script = tmp_path / "example.sh"
    script.write_text(code)
    return subprocess.run(
        ["sh", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "FAKERUNS_URL": url},
    )


@pytest.mark.parametrize(("where", "code"), scripts(), ids=[w for w, _ in scripts()])
def test_doc_script_against_fake_runs_server(
    fake_runs_server: FakeRuns, tmp_path: Path, where: str, code: str
) -> None:
    done = run_script(code, fake_runs_server.url, tmp_path)
    assert done.returncode == 0, f"{where}:\n{done.stdout}\n{done.stderr}"
    assert fake_runs_server.calls, "the script called no vendor"


@pytest.mark.parametrize(("where", "code"), scripts(), ids=[w for w, _ in scripts()])
def test_doc_script_against_fakeruns_serve(
    serve: Serve, tmp_path: Path, where: str, code: str
) -> None:
    served = serve(["--port", "0", "--no-packs", "--quiet"])
    root = served.urls(5)["coalesce"].rsplit("/", 1)[0]
    done = run_script(code, root, tmp_path)
    assert done.returncode == 0, f"{where}:\n{done.stdout}\n{done.stderr}"
    assert served.signal(signal.SIGINT) == 0
    assert BOUND > 0


def test_there_is_a_curl_example() -> None:
    assert any("curl" in code for _, code in scripts())
