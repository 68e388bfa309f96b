"""Per-test cost of pytest-fakeruns against hand-written mocks (issue 14), side by side in one run.

    python bench/bench_cost.py [--quick] [--only a,b,c,d,e]

Not part of the test suite. Each figure is a ratio "fake / hand-written baseline", printed as
one line: the median of the per-round ratios, the spread (lowest and highest round ratio) and
the median CPU time of each side.

Method, the same for every figure:

- CPU time, not wall time: ``time.process_time()`` for what runs in this process, the child's
  own rusage (user + system, from ``os.wait4``) for what runs as a separate pytest process. On a
  shared machine wall time mostly measures the neighbours.
- Interleaved rounds: every round measures both sides, in alternating order (ABBA...), so
  drift on the machine (caches, frequency, other load) hits both sides alike. The cyclic
  garbage collector is collected before and held off during an in-process round (as
  ``timeit`` does), so a full collection never lands in one side by chance.
- One warm-up of each side before the rounds (imports, pyc caches, Faker pools).
- In-process rounds of the fake start with an empty journal, as every test does: the fake
  keeps each call (its response body too), and 15 rounds of 1,000 calls kept at once would
  measure the allocator, not a page.
- The median of the per-round ratios is the figure; the spread is min..max over the rounds.
  A round of the start-up figure is the mean of four alternating runs per side (one run is
  a tenth of a second, so single runs are mostly noise).

Figures and targets (issue 14):

a. A pytest run of 500 generated tests that each take ``fake_runs`` and GET one Coalesce list
   page, vs the same 500 tests on a function-scoped fixture that starts a
   ``responses.RequestsMock`` with one static mock of that URL (the plugin not loaded there).
   Two generated suites, each run as its own pytest process
   (``-p no:cacheprovider``), child rusage CPU. Target <= 1.2x.
b. A Coalesce list page (25 of 100 runs) through ``httpx.Client`` with the fake active vs the
   same client code through ``httpx.MockTransport`` with a trivial handler returning the same
   static body. Target <= 1.3x.
c. ``pytest --collect-only`` of an empty folder with the plugin vs without it (as
   ``-p no:fakeruns`` would); child rusage CPU. Target <= 1.02x.
d. The same list page through ``requests`` with the fake vs one static ``responses`` mock of
   the same body. Target <= 1.15x.
e. ``fake.coalesce.add_runs(100_000)`` vs building 100,000 plain dicts with uuid4 ids.
   Target <= 5x.

Every child pytest runs with this interpreter, in a temporary folder with a ``pytest.ini`` of its
own, with plugin autoload on, as a user runs it: the fake side loads the plugin from its
``pytest11`` entry point (the project installed, as ``pip install -e .`` does), the baseline
runs with ``-p no:fakeruns``. Both sides block every other ``pytest11`` entry point in the
environment (``-p no:NAME``: hypothesis, Faker's own, xdist, ...; about 1.5 s of imports here),
which neither side needs, so the one difference is this plugin. (Loading it with
``-p pytest_fakeruns._plugin`` under ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` would not do: pytest
then scans every installed distribution's entry points for that name, a cost of the bench's
own making, about 8 ms, that no user pays.) Bytecode writing is on for the children
(``PYTHONDONTWRITEBYTECODE`` dropped), as on a
user's machine: the warm-up run fills the pyc and assertion-rewrite caches.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

URL = "https://app.coalescesoftware.io/api/v1/runs?limit=25"
HEADERS = {"Authorization": "Bearer t"}
PLUGIN: list[str] = []  # the fake side: the plugin loads from its entry point
NO_PLUGIN = ["-p", "no:fakeruns"]  # the baseline side


def other_plugins() -> list[str]:
    """``-p no:NAME`` for every ``pytest11`` entry point but this plugin's, for both sides."""
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="pytest11")}
    if "fakeruns" not in names:
        raise SystemExit("pytest-fakeruns is not installed here: pip install -e . first")
    return [arg for name in sorted(names - {"fakeruns"}) for arg in ("-p", f"no:{name}")]


def pytest_env() -> dict[str, str]:
    """The environment of a child pytest: nothing of this shell's pytest settings."""
    env = dict(os.environ)
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    return env


@dataclass
class Figure:
    key: str
    label: str
    target: float
    fake: list[float]
    base: list[float]

    @property
    def ratios(self) -> list[float]:
        return [f / b for f, b in zip(self.fake, self.base, strict=True)]

    def line(self, unit: str, scale: float) -> str:
        ratios = self.ratios
        median = statistics.median(ratios)
        verdict = "met" if median <= self.target else "NOT met"
        fake = statistics.median(self.fake) * scale
        base = statistics.median(self.base) * scale
        return (
            f"{self.key}. {self.label:<34} {median:5.2f}x  (spread {min(ratios):.2f}-"
            f"{max(ratios):.2f}x over {len(ratios)} rounds; fake {fake:.1f} {unit}, "
            f"baseline {base:.1f} {unit})  target <= {self.target:.2f}x: {verdict}"
        )


def interleaved(
    rounds: int, fake: Callable[[], float], base: Callable[[], float], inner: int = 1
) -> tuple[list[float], list[float]]:
    """``rounds`` measurements of each side, alternating which side goes first; a round's
    measurement is the mean of ``inner`` alternating runs (for short, noisy children)."""
    fakes: list[float] = []
    bases: list[float] = []
    fake()  # warm-up
    base()
    turn = 0
    for _ in range(rounds):
        f = b = 0.0
        for _ in range(inner):
            if turn % 2 == 0:
                f += fake()
                b += base()
            else:
                b += base()
                f += fake()
            turn += 1
        fakes.append(f / inner)
        bases.append(b / inner)
    return fakes, bases


@contextlib.contextmanager
def gc_held() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def cpu_per_call(fn: Callable[[], object], calls: int) -> float:
    with gc_held():
        start = time.process_time()
        for _ in range(calls):
            fn()
        return (time.process_time() - start) / calls


# -- child pytest processes ----------------------------------------------------------------


def child_cpu(args: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> float:
    """CPU seconds (user + system) of one ``python -m pytest`` child, from its rusage."""
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *other_plugins()]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [*argv, *args],
            cwd=cwd,
            env=pytest_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
            out.seek(0)
            raise SystemExit(
                f"pytest {' '.join(args)} in {cwd} exited {proc.returncode}:\n"
                + out.read().decode(errors="replace")[-3000:]
            )
    return usage.ru_utime + usage.ru_stime


def write_suite(folder: Path, tests: int, fixture: str, conftest: str) -> None:
    folder.mkdir(parents=True)
    (folder / "pytest.ini").write_text("[pytest]\n")
    if conftest:
        (folder / "conftest.py").write_text(textwrap.dedent(conftest))
    per_file = 50
    for start in range(0, tests, per_file):
        lines = ["import requests", "", f"URL = {URL!r}", f"HEADERS = {HEADERS!r}", ""]
        for n in range(start, min(start + per_file, tests)):
            lines += [
                "",
                f"def test_{n}({fixture}):",
                "    response = requests.get(URL, headers=HEADERS)",
                "    assert response.status_code == 200",
                "",
            ]
        (folder / f"test_gen_{start // per_file:02d}.py").write_text("\n".join(lines))


def empty_page() -> tuple[bytes, str]:
    """The body the fake answers for the generated tests' request (an empty store)."""
    import requests

    from pytest_fakeruns import FakeRuns

    with FakeRuns(seed=1):
        first = requests.get(URL, headers=HEADERS)
    assert first.status_code == 200, first.text
    return first.content, first.headers["Content-Type"]


def static_conftest(body: bytes, ctype: str) -> str:
    """The baseline suite's conftest: one static ``responses`` mock of the page per test."""
    return f"""
        import pytest
        import responses

        @pytest.fixture
        def mocked():
            with responses.RequestsMock() as mock:
                mock.add(responses.GET, {URL.split("?")[0]!r}, body={body!r},
                         content_type={ctype!r})
                yield mock
        """


def figure_suite(rounds: int, tests: int, tmp: Path) -> Figure:
    body, ctype = empty_page()
    write_suite(tmp / "suite_fake", tests, "fake_runs", "")
    write_suite(tmp / "suite_static", tests, "mocked", static_conftest(body, ctype))
    fakes, bases = interleaved(
        rounds,
        lambda: child_cpu(PLUGIN, tmp / "suite_fake"),
        lambda: child_cpu(NO_PLUGIN, tmp / "suite_static"),
    )
    return Figure("a", f"pytest run of {tests} tests", 1.2, fakes, bases)


def figure_startup(rounds: int, tmp: Path) -> Figure:
    empty = tmp / "empty"
    empty.mkdir()
    (empty / "pytest.ini").write_text("[pytest]\n")
    fakes, bases = interleaved(
        rounds,
        lambda: child_cpu(["--collect-only", *PLUGIN], empty, ok=(5,)),
        lambda: child_cpu(["--collect-only", *NO_PLUGIN], empty, ok=(5,)),
        inner=4,
    )
    return Figure("c", "pytest --collect-only, empty dir", 1.02, fakes, bases)


# -- in-process figures ----------------------------------------------------------------------


def seeded_fake() -> object:
    from pytest_fakeruns import FakeRuns

    fake = FakeRuns(seed=1, progression="manual")
    fake.coalesce.add_runs(100)
    return fake


def figure_httpx(rounds: int, calls: int) -> Figure:
    import httpx

    fake = seeded_fake()
    client = httpx.Client()
    with fake:  # type: ignore[attr-defined]
        first = client.get(URL, headers=HEADERS)
    body, ctype = first.content, first.headers["Content-Type"]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": ctype})

    mocked = httpx.Client(transport=httpx.MockTransport(handler))

    def fake_side() -> float:
        fake.calls.clear()  # type: ignore[attr-defined]
        with fake:  # type: ignore[attr-defined]
            return cpu_per_call(lambda: client.get(URL, headers=HEADERS), calls)

    fakes, bases = interleaved(
        rounds, fake_side, lambda: cpu_per_call(lambda: mocked.get(URL, headers=HEADERS), calls)
    )
    client.close()
    mocked.close()
    return Figure("b", "httpx list page", 1.3, fakes, bases)


def figure_requests(rounds: int, calls: int) -> Figure:
    import requests
    import responses

    fake = seeded_fake()
    session = requests.Session()
    with fake:  # type: ignore[attr-defined]
        first = session.get(URL, headers=HEADERS)
    body, ctype = first.content, first.headers["Content-Type"]
    static = responses.RequestsMock(assert_all_requests_are_fired=False)
    static.add(responses.GET, URL.split("?")[0], body=body, content_type=ctype)

    def fake_side() -> float:
        fake.calls.clear()  # type: ignore[attr-defined]
        with fake:  # type: ignore[attr-defined]
            return cpu_per_call(lambda: session.get(URL, headers=HEADERS), calls)

    def static_side() -> float:
        static.start()
        try:
            return cpu_per_call(lambda: session.get(URL, headers=HEADERS), calls)
        finally:
            static.stop(allow_assert=False)

    fakes, bases = interleaved(rounds, fake_side, static_side)
    return Figure("d", "requests list page", 1.15, fakes, bases)


def figure_add_runs(rounds: int, count: int) -> Figure:
    from pytest_fakeruns import FakeRuns

    def fake_side() -> float:
        fake = FakeRuns(seed=1)
        fake.coalesce.add_runs(1)  # Faker pools and imports warmed, as in a real suite
        with gc_held():
            start = time.process_time()
            fake.coalesce.add_runs(count)
            return time.process_time() - start

    def dict_side() -> float:
        with gc_held():
            start = time.process_time()
            made = [{"id": str(uuid.uuid4())} for _ in range(count)]
            took = time.process_time() - start
        del made
        return took

    fakes, bases = interleaved(rounds, fake_side, dict_side)
    return Figure("e", f"add_runs({count:_}) vs dicts", 5.0, fakes, bases)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke run")
    parser.add_argument("--only", default="abcde", help="figures to run, e.g. --only ac")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    quick = args.quick
    only = set(args.only.replace(",", ""))
    lines: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="fakeruns-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if "a" in only:
            fig = figure_suite(3 if quick else 7, 500, tmp)
            lines["a"] = fig.line("s", 1.0)
            print(lines["a"], flush=True)
        if "b" in only:
            fig = figure_httpx(5 if quick else 15, 200 if quick else 1000)
            lines["b"] = fig.line("us", 1e6)
            print(lines["b"], flush=True)
        if "c" in only:
            fig = figure_startup(3 if quick else 15, tmp)
            lines["c"] = fig.line("ms", 1e3)
            print(lines["c"], flush=True)
        if "d" in only:
            fig = figure_requests(5 if quick else 15, 200 if quick else 1000)
            lines["d"] = fig.line("us", 1e6)
            print(lines["d"], flush=True)
        if "e" in only:
            fig = figure_add_runs(2 if quick else 5, 100_000)
            lines["e"] = fig.line("s", 1.0)
            print(lines["e"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
