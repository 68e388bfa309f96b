"""fake_runs_server under pytest-xdist: every worker serves on its own port, nothing hangs."""

from __future__ import annotations

import pytest

WORKER_TESTS = """
import os
import urllib.request

import pytest
import requests

AUTH = {"Authorization": "Bearer t"}


@pytest.mark.parametrize("n", range(6))
def test_serve_and_query(fake_runs_server, n):
    fake_runs_server.coalesce.add_runs(n + 1)
    r = requests.get(fake_runs_server.coalesce.base_url + "/api/v1/runs", headers=AUTH,
                     timeout=10)
    assert len(r.json()["data"]) == n + 1
    with urllib.request.urlopen(fake_runs_server.url + "/", timeout=10) as answer:
        assert answer.status == 200
    with open(os.environ["SERVED_LOG"], "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + " " + fake_runs_server.url + "\\n")


def test_a_held_connection_does_not_hang_teardown(fake_runs_server):
    fake_runs_server.inject(error="timeout")
    with pytest.raises(requests.Timeout):
        requests.get(fake_runs_server.coalesce.base_url + "/api/v1/runs", headers=AUTH,
                     timeout=0.2)
"""


def test_two_workers_serve_without_clashes_or_hangs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = pytester.path / "served.log"
    monkeypatch.setenv("SERVED_LOG", str(log))
    pytester.makepyfile(test_served=WORKER_TESTS)
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", timeout=120)
    result.assert_outcomes(passed=7)
    served = [line.split() for line in log.read_text().splitlines()]
    assert len(served) == 6
    assert {worker for worker, _ in served} == {"gw0", "gw1"}
    assert all(url.startswith("http://127.0.0.1:") for _, url in served)
