"""Benchmarks: ratios measured side by side in one run (not part of the test suite).

    python bench/bench_requests.py [--quick]

1. A list request through the fake vs a single static `responses` mock of the same body, over
   `requests` (target <= 1.3x), for every vendor.
2. A page with 100,000 runs stored vs with 10 (target <= 1.5x), for every vendor.
3. `add_runs(100_000)` per vendor (target: under 2 s).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import requests
import responses

from pytest_fakeruns import FakeRuns
from pytest_fakeruns._http import Request

BASIC = "Basic dXNlcjpwYXNz"


def list_call(fake: FakeRuns, vendor: str, size: int = 25) -> tuple[str, dict[str, str]]:
    """The URL and headers of each vendor's list page of ``size`` runs."""
    v = fake.vendor(vendor)
    parent = next(iter(v.store.parents))
    root = v.base_url
    if vendor == "coalesce":
        return f"{root}/api/v1/runs?limit={size}", {"Authorization": "Bearer t"}
    if vendor == "workiva":
        return (
            f"{root}/prototype/platform/scripts/{parent}/runs?$maxpagesize={size}",
            {"Authorization": "Bearer t"},
        )
    if vendor == "arcgis":
        return f"{root}/system/tasks/{parent}/runs?f=json&num={size}&token=t", {}
    if vendor == "kinetic":
        return f"{root}/app/api/v1/sources/{parent}/runs?limit={size}", {"Authorization": BASIC}
    if vendor == "enterprise_tester":
        return f"{root}/api/scriptassignment/{parent}/runs?$top={size}", {"Authorization": BASIC}
    raise KeyError(vendor)


def best_per_call(fn: Callable[[], Any], calls: int, repeats: int = 7) -> float:
    """Seconds per call: the best of `repeats` rounds of `calls` calls, with the cyclic
    garbage collector off while timing (as `timeit` does), so a full collection over a big
    heap does not land in one side of a ratio by chance."""
    rounds = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            rounds.append((time.perf_counter() - start) / calls)
        finally:
            gc.enable()
    return min(rounds)


def seeded(vendor: str, runs: int) -> FakeRuns:
    fake = FakeRuns(seed=1, progression="manual")
    fake.vendor(vendor).add_runs(runs)
    return fake


def bench_request_vs_static(vendor: str, calls: int, rounds: int = 7) -> tuple[float, float]:
    """Per-call seconds through the fake and through one static mock of the same body,
    measured in alternating rounds so drift on the machine hits both sides alike."""
    fake = seeded(vendor, 100)
    url, headers = list_call(fake, vendor)
    session = requests.Session()
    with fake:
        first = session.get(url, headers=headers)
        body, ctype = first.content, first.headers["Content-Type"]
    static = responses.RequestsMock(assert_all_requests_are_fired=False)
    static.add(responses.GET, url.split("?")[0], body=body, content_type=ctype)
    best = {"fake": float("inf"), "static": float("inf")}
    for _ in range(rounds):
        for side, start, stop in (
            ("fake", fake.start, fake.stop),
            ("static", static.start, lambda: static.stop(allow_assert=False)),
        ):
            start()
            took = best_per_call(lambda: session.get(url, headers=headers), calls, 1)
            stop()
            best[side] = min(best[side], took)
    return best["fake"], best["static"]


def bench_page_cost(vendor: str, calls: int, big: int) -> tuple[float, float]:
    costs = []
    for size in (10, big):
        fake = seeded(vendor, size)
        url, headers = list_call(fake, vendor, size=10)
        request = Request("GET", url, headers)
        costs.append(best_per_call(lambda fake=fake, request=request: fake.handle(request), calls))
    return costs[0], costs[1]


def bench_add_runs(vendor: str, count: int) -> float:
    fake = FakeRuns(seed=1)
    fake.vendor(vendor).add_runs(1)  # Faker pools and imports warmed, as in a real suite
    gc.collect()
    start = time.perf_counter()
    fake.vendor(vendor).add_runs(count)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls, for a smoke run")
    parser.add_argument("--vendor", action="append", help="only these vendors")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # Workiva's list route is deprecated: it warns every call
    calls = 100 if args.quick else 500
    big = 100_000
    vendors = args.vendor or ["coalesce", "workiva", "arcgis", "kinetic", "enterprise_tester"]
    ok = True
    print(f"{'vendor':<18} {'fake/static':>11} {'page 100k/10':>13} {'add_runs(100k)':>15}")
    for vendor in vendors:
        fake_s, static_s = bench_request_vs_static(vendor, calls)
        small, large = bench_page_cost(vendor, calls, big)
        seconds = bench_add_runs(vendor, big)
        r1, r2 = fake_s / static_s, large / small
        ok &= r1 <= 1.3 and r2 <= 1.5 and seconds < 2.0
        print(
            f"{vendor:<18} {r1:>10.2f}x {r2:>12.2f}x {seconds:>14.2f}s"
            f"   (fake {fake_s * 1e6:.0f} us, static {static_s * 1e6:.0f} us,"
            f" page {small * 1e6:.0f}/{large * 1e6:.0f} us)"
        )
    print(
        "targets: fake/static <= 1.3x, page 100k/10 <= 1.5x, add_runs(100k) < 2 s:",
        "met" if ok else "NOT met",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
