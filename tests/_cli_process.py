"""``python -m pytest_fakeruns serve`` as a subprocess that a test drives like a parent would."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

BOUND = 20.0  # seconds any step may take (start-up imports Faker) before the test fails


class Served:
    """A running ``serve`` subprocess and the vendor lines it printed."""

    def __init__(self, args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        env = dict(os.environ if env is None else env)
        env.pop("PYTHONUNBUFFERED", None)  # the CLI must flush by itself
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pytest_fakeruns", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def urls(self, count: int) -> dict[str, str]:
        """The first ``count`` vendor lines, ``<vendor> <url>``, each read within the bound."""
        found: dict[str, str] = {}
        while len(found) < count:
            try:
                line = self.lines.get(timeout=BOUND)
            except queue.Empty:
                raise AssertionError(f"no vendor line within {BOUND}s; got {found}") from None
            assert line is not None, f"serve exited early: {self.stderr()}"
            name, url = line.split()
            found[name] = url
        return found

    def signal(self, signum: int) -> int:
        """Send ``signum``; the exit code, which must come within the bound."""
        self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout=BOUND)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"serve did not stop on signal {signum}") from None

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=BOUND)
        except subprocess.TimeoutExpired:
            raise AssertionError("serve kept running") from None

    def stderr(self) -> str:
        """Everything it wrote on stderr (ends it first if it still runs)."""
        self.close()
        assert self.proc.stderr is not None
        return self.proc.stderr.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=BOUND)


Serve = Callable[..., Served]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """``serve(args, env=None)`` starts ``serve``; every process is ended at teardown."""
    started: list[Served] = []

    def start(args: Sequence[str], env: dict[str, str] | None = None) -> Served:
        served = Served(args, tmp_path, env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.close()
        for stream in (served.proc.stdout, served.proc.stderr):
            if stream is not None:
                stream.close()
