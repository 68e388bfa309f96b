"""A flaky-backend scenario to copy: a seeded 30 % of calls fail with 503 or time out, the
client's retries absorb them, and the same seed replays the same failures."""

from __future__ import annotations

import pytest
import requests
from coalesce_client import CoalesceClient

from pytest_fakeruns import FakeRuns


@pytest.mark.fake_runs(instant_sleep=True)
def test_retries_absorb_a_flaky_backend(fake_runs: FakeRuns) -> None:
    fake_runs.coalesce.add_runs(300, environment_id="7")
    flaky = fake_runs.inject(status=503, vendor="coalesce", probability=0.3, retry_after=2)

    runs = list(CoalesceClient(token="t0k3n", max_attempts=8).iter_runs("7", page_size=50))

    assert len(runs) == 300
    assert flaky.hits > 0  # the client really did meet the outage
    assert fake_runs.calls[-1].status == 200


@pytest.mark.fake_runs(seed=2026, instant_sleep=True)
def test_the_same_seed_replays_the_same_failures(fake_runs: FakeRuns) -> None:
    def statuses() -> list[int]:
        fake_runs.reset()
        fake_runs.coalesce.add_runs(100, environment_id="7")
        fake_runs.inject(status=503, vendor="coalesce", probability=0.3)
        list(CoalesceClient(token="t0k3n", max_attempts=8).iter_runs("7", page_size=10))
        return [call.status for call in fake_runs.calls]

    assert statuses() == statuses()


@pytest.mark.fake_runs(instant_sleep=True)
def test_a_timeout_reaches_the_caller_as_the_library_raises_it(fake_runs: FakeRuns) -> None:
    fake_runs.inject(error="timeout", vendor="coalesce", times=1)

    with pytest.raises(requests.Timeout):
        CoalesceClient(token="t0k3n").status(1)
