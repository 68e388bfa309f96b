"""Many threads at once: every create is stored once, every list answers, nothing raises."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from pytest_fakeruns import FakeRuns

THREADS = 8
ROUNDS = 25
AUTH = {"Authorization": "Bearer t0k3n"}
START = {
    "runDetails": {"environmentID": "2"},
    "userCredentials": {"snowflakeUsername": "U", "snowflakePassword": "p"},
}


def test_eight_threads_creating_and_listing(fake_runs: FakeRuns) -> None:
    coalesce = fake_runs.coalesce
    coalesce.add_runs(100, environment_id="2")
    root = coalesce.base_url
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> tuple[list[int], list[dict[str, Any]]]:
        created: list[int] = []
        pages: list[dict[str, Any]] = []
        with requests.Session() as session:
            barrier.wait()  # start together
            for i in range(ROUNDS):
                if (n + i) % 2 == 0:
                    answer = session.post(
                        f"{root}/scheduler/startRun", json=START, headers=AUTH, timeout=30
                    )
                    assert answer.status_code == 200, answer.text
                    created.append(answer.json()["runCounter"])
                else:
                    answer = session.get(
                        f"{root}/api/v1/runs", params={"limit": 50}, headers=AUTH, timeout=30
                    )
                    assert answer.status_code == 200, answer.text
                    pages.append(answer.json())
        return created, pages

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))  # re-raises a worker's exception

    created = [run_id for made, _ in results for run_id in made]
    pages = [page for _, listed in results for page in listed]
    assert len(created) == THREADS * ROUNDS // 2
    assert len(set(created)) == len(created)  # nothing duplicated
    stored = {run.id for run in coalesce.runs()}
    assert set(created) <= stored and len(stored) == 100 + len(created)  # nothing lost
    assert sorted(created) == list(range(101, 101 + len(created)))
    for page in pages:
        ids = [item["id"] for item in page["data"]]
        assert len(ids) == 50 and ids == sorted(set(ids), reverse=True)
    assert len(fake_runs.calls) == THREADS * ROUNDS
    assert sorted(c.status for c in fake_runs.calls) == [200] * (THREADS * ROUNDS)
