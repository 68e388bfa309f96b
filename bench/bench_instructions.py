"""The figures of bench_cost.py as instruction counts: a noise-free cross-check.

    python bench/bench_instructions.py [--only abcde]

Not part of the test suite. Needs valgrind (``apt-get install valgrind``).

Method: every side runs in a child process under ``valgrind --tool=callgrind``, and the figure
is the ratio of the instructions the two sides executed (callgrind's ``Collected`` count of
``Ir``). Instruction counts do not depend on the neighbours on a shared machine, so one run
of each side is the figure; they do not count cache misses, page faults or the kernel, which
bench_cost.py's CPU times do. The two agree within their noise when the machine is quiet.

- a, c: the same generated suites and empty folder as bench_cost.py, the whole pytest run.
- b, d: the same page as bench_cost.py; a child makes the page ``calls`` times after warm-up,
  another makes it 0 times, and the difference divided by ``calls`` is the cost of one page
  (start-up, imports and set-up cancel out).
- e: ``add_runs(100_000)`` against 100,000 plain dicts, each minus a child that stops before.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cost  # the same suites, pages and targets

TARGETS = {"a": 1.2, "b": 1.3, "c": 1.02, "d": 1.15, "e": 5.0}
LABELS = {
    "a": "pytest run of 500 tests",
    "b": "httpx list page",
    "c": "pytest --collect-only, empty dir",
    "d": "requests list page",
    "e": "add_runs(100_000) vs dicts",
}
CALLS = 400


def instructions(argv: list[str], cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> int:
    """Instructions one child executed, from callgrind's summary on stderr."""
    env = bench_cost.pytest_env()  # autoload on, as bench_cost.py's children
    env["PYTHONHASHSEED"] = "0"  # the same dict and set layouts in every child
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode not in ok or found is None:
        raise SystemExit(f"{' '.join(argv)} exited {run.returncode}:\n{run.stderr[-3000:]}")
    return int(found.group(1))


def pytest_run(args: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> int:
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    argv += [*bench_cost.other_plugins(), *args]
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)  # warm the pyc caches
    return instructions(argv, cwd, ok)


def child(figure: str, side: str, count: int) -> int:
    """``--child``: one side of an in-process figure, ``count`` times after a warm-up."""
    import gc
    import warnings

    warnings.simplefilter("ignore")
    gc.disable()  # as bench_cost.py's rounds
    if figure == "e":
        if side == "fake":
            from pytest_fakeruns import FakeRuns

            fake = FakeRuns(seed=1)
            fake.coalesce.add_runs(1)
            if count:
                fake.coalesce.add_runs(count)
        else:
            made = [{"id": str(uuid.uuid4())} for _ in range(count)]
            del made
        return 0
    fake = bench_cost.seeded_fake()
    if figure == "b":
        import httpx

        client = httpx.Client()
        with fake:  # type: ignore[attr-defined]
            first = client.get(bench_cost.URL, headers=bench_cost.HEADERS)
        body, ctype = first.content, first.headers["Content-Type"]

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=body, headers={"Content-Type": ctype})

        mocked = httpx.Client(transport=httpx.MockTransport(handler))
        use = client if side == "fake" else mocked
    else:
        import requests
        import responses

        use = requests.Session()  # type: ignore[assignment]
        with fake:  # type: ignore[attr-defined]
            first = use.get(bench_cost.URL, headers=bench_cost.HEADERS)
        static = responses.RequestsMock(assert_all_requests_are_fired=False)
        static.add(
            responses.GET,
            bench_cost.URL.split("?")[0],
            body=first.content,
            content_type=first.headers["Content-Type"],
        )
    active = fake if side == "fake" else (static if figure == "d" else None)
    if active is not None:
        active.start()  # type: ignore[attr-defined]
    for _ in range(50):
        use.get(bench_cost.URL, headers=bench_cost.HEADERS)
    if side == "fake":
        fake.calls.clear()  # type: ignore[attr-defined]
    for _ in range(count):
        use.get(bench_cost.URL, headers=bench_cost.HEADERS)
    return 0


def per_unit(figure: str, side: str, count: int) -> float:
    me = [sys.executable, __file__, "--child", figure, side]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([*me, "0"], env=env, capture_output=True, check=True)  # pyc caches written
    return (instructions([*me, str(count)]) - instructions([*me, "0"])) / count


def line(key: str, fake: float, base: float) -> str:
    ratio = fake / base
    verdict = "met" if ratio <= TARGETS[key] else "NOT met"
    return (
        f"{key}. {LABELS[key]:<34} {ratio:5.2f}x  (instructions: fake {fake:,.0f}, baseline "
        f"{base:,.0f})  target <= {TARGETS[key]:.2f}x: {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="abcde")
    parser.add_argument("--child", nargs=3, metavar=("FIGURE", "SIDE", "COUNT"))
    args = parser.parse_args()
    if args.child:
        figure, side, count = args.child
        return child(figure, side, int(count))
    only = set(args.only.replace(",", ""))
    with tempfile.TemporaryDirectory(prefix="fakeruns-bench-ir-") as tmp_name:
        tmp = Path(tmp_name)
        if "a" in only:
            body, ctype = bench_cost.empty_page()
            bench_cost.write_suite(tmp / "fake", 500, "fake_runs", "")
            bench_cost.write_suite(
                tmp / "static", 500, "mocked", bench_cost.static_conftest(body, ctype)
            )
            fake = pytest_run(bench_cost.PLUGIN, tmp / "fake")
            static = pytest_run(bench_cost.NO_PLUGIN, tmp / "static")
            print(line("a", fake, static), flush=True)
        for key in "bd":
            if key in only:
                print(line(key, per_unit(key, "fake", CALLS), per_unit(key, "base", CALLS)))
        if "c" in only:
            empty = tmp / "empty"
            empty.mkdir()
            (empty / "pytest.ini").write_text("[pytest]\n")
            fake = pytest_run(["--collect-only", *bench_cost.PLUGIN], empty, ok=(5,))
            base = pytest_run(["--collect-only", *bench_cost.NO_PLUGIN], empty, ok=(5,))
            print(line("c", fake, base), flush=True)
        if "e" in only:
            count = 100_000
            print(line("e", per_unit("e", "fake", count), per_unit("e", "base", count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
