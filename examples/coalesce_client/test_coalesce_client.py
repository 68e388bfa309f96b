"""The downstream project's own tests: its real client against the faked Coalesce API."""

from __future__ import annotations

import pytest
from coalesce_client import CoalesceClient, CoalesceError

from pytest_fakeruns import FakeRuns


@pytest.fixture
def client() -> CoalesceClient:
    return CoalesceClient(token="t0k3n")


@pytest.mark.fake_runs(instant_sleep=True)
def test_start_poll_until_completed(fake_runs: FakeRuns, client: CoalesceClient) -> None:
    fake_runs.coalesce.add_parent("7")
    run_id = client.start_run("7", "LOADER", "s3cret")

    seen = client.wait_for_run(run_id, interval=2)

    # the fake clock moved with every time.sleep(2): realistic timings in no wall time
    assert seen[0] == "waitingToRun"
    assert seen[-1] == "completed"
    assert "running" in seen
    assert fake_runs.coalesce.get(run_id).state == "completed"


@pytest.mark.fake_runs(progression="poll")
def test_every_poll_moves_the_run_one_step(fake_runs: FakeRuns, client: CoalesceClient) -> None:
    fake_runs.coalesce.add_parent("7")
    run_id = client.start_run("7", "LOADER", "s3cret")

    seen = client.wait_for_run(run_id, interval=0)

    assert seen == ["waitingToRun", "initializing", "rendering", "running", "completed"]


def test_a_failing_run_reports_its_reason(fake_runs: FakeRuns, client: CoalesceClient) -> None:
    run = fake_runs.coalesce.add_run(environment_id="7", state="running")
    run.fail(reason="SQL compilation error: table STG_ORDERS does not exist")

    assert client.status(int(run.id)) == "failed"
    newest = next(client.iter_runs(environment_id="7"))
    assert newest["runFailureReason"].startswith("SQL compilation error")


def test_paging_through_500_seeded_runs(fake_runs: FakeRuns, client: CoalesceClient) -> None:
    fake_runs.coalesce.add_runs(500, environment_id="7")

    runs = list(client.iter_runs(environment_id="7", page_size=50))

    assert len(runs) == 500
    assert len({r["id"] for r in runs}) == 500
    assert [r["id"] for r in runs] == sorted((r["id"] for r in runs), reverse=True)
    fake_runs.assert_called(vendor="coalesce", path="/api/v1/runs", times=10)


@pytest.mark.fake_runs(instant_sleep=True)
def test_rate_limited_twice_then_served(fake_runs: FakeRuns, client: CoalesceClient) -> None:
    fake_runs.coalesce.add_runs(3, environment_id="7")
    fault = fake_runs.inject(status=429, vendor="coalesce", times=2, retry_after=3)

    runs = list(client.iter_runs(environment_id="7"))

    assert len(runs) == 3
    assert fault.hits == 2
    assert [c.status for c in fake_runs.calls] == [429, 429, 200]


@pytest.mark.fake_runs(instant_sleep=True, faults=[{"status": 503, "vendor": "coalesce"}])
def test_gives_up_on_a_persistent_outage(fake_runs: FakeRuns, client: CoalesceClient) -> None:
    with pytest.raises(CoalesceError) as raised:
        list(client.iter_runs())

    assert raised.value.status == 503
    assert len(fake_runs.calls) == client.max_attempts


def test_cancel_a_running_run(fake_runs: FakeRuns, client: CoalesceClient) -> None:
    run = fake_runs.coalesce.add_run(environment_id="7", state="running")

    client.cancel(int(run.id), org_id="acme", environment_id="7")

    assert run.state == "canceled"
    with pytest.raises(CoalesceError, match="is not in progress"):
        client.cancel(int(run.id), org_id="acme", environment_id="7")
