"""Schemathesis at length against a served fake (not part of the test suite).

    python bench/schemathesis_run.py [--examples 500] [--vendors coalesce,kinetic]
                                     [--checks default|all] [--runs 30] [--seed 0]

The suite's ``tests/test_openapi_schemathesis.py`` runs 25 cases per operation with the four
checks it must pass (server errors, response schema, status code, content type). This script
runs many more and, with ``--checks all``, every check schemathesis has: some of those judge
what a fake deliberately does like the real service (``positive_data_acceptance`` expects a
schema-valid request to succeed, yet an unknown parent is the vendor's 404), so their findings
are printed for a person to judge, not counted as failures of the fake.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemathesis.checks import CHECKS  # noqa: E402

from pytest_fakeruns import FakeRuns  # noqa: E402
from pytest_fakeruns._server import serving  # noqa: E402
from tests._schemathesis_run import CHECKS as DEFAULT_CHECKS  # noqa: E402
from tests._schemathesis_run import run_vendor  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=500, help="cases per operation")
    parser.add_argument("--vendors", default="", help="comma list (default: every vendor)")
    parser.add_argument("--checks", choices=("default", "all"), default="all")
    parser.add_argument("--runs", type=int, default=30, help="seeded runs per vendor")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    fake = FakeRuns(seed=args.seed)
    names = [n for n in args.vendors.split(",") if n] or list(fake.vendors)
    checks = CHECKS.get_all() if args.checks == "all" else DEFAULT_CHECKS
    for name in names:
        fake.vendor(name).add_runs(args.runs)
        fake.vendor(name).add_runs(3, state="running")
    total_failures = 0
    with serving(fake):
        print(f"{'vendor':<18} {'ops':>4} {'cases':>6} {'seconds':>8}  statuses / media")
        for name in names:
            started = time.perf_counter()
            outcome = run_vendor(fake, name, args.examples, checks=checks, stop_on_failure=False)
            took = time.perf_counter() - started
            statuses = " ".join(f"{k}:{v}" for k, v in sorted(outcome.statuses.items()))
            media = " ".join(f"{k}:{v}" for k, v in sorted(outcome.media.items()))
            print(
                f"{name:<18} {outcome.operations:>4} {outcome.examples:>6} {took:>8.1f}  "
                f"{statuses} | {media}"
            )
            for finding, count in sorted(outcome.findings.items()):
                print(f"    {count:>5} x {finding}")
            total_failures += len(outcome.findings)
    print(f"distinct findings (operation, check): {total_failures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
