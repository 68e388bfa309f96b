"""pytest_fakeruns.remote: the FakeRuns names over the admin API, end to end."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
import requests

from pytest_fakeruns import FakeRuns, FakeRunsError, InvalidTransition, State
from pytest_fakeruns._server import serving
from pytest_fakeruns.remote import RemoteFakeRuns, connect

AUTH = {"Authorization": "Bearer t0k3n"}
BOUND = 10.0

pytestmark = pytest.mark.fake_runs(seed=5, progression="manual")


@pytest.fixture
def remote(fake_runs_server: FakeRuns) -> RemoteFakeRuns:
    return connect(fake_runs_server.url)


def test_vendors_runs_and_actions(fake_runs_server: FakeRuns, remote: RemoteFakeRuns) -> None:
    assert set(remote.vendors) == set(fake_runs_server.vendors)
    assert remote.seed == 5 and remote.progression == "manual"
    assert remote.coalesce.base_url == fake_runs_server.coalesce.base_url
    run = remote.coalesce.add_run(environment_id="7")
    assert isinstance(run.id, int)
    state: str = run.state  # a State is the vendor-neutral string itself
    assert state == State.WAITING and state == "waitingToRun"
    assert run.advance() is run
    state = run.state
    assert state == "running"
    assert fake_runs_server.coalesce.get(run.id).state == "running"
    run.fail(reason="out of credits")
    assert run.status == "failed" and run.ended_at is not None
    assert run.to_json() == fake_runs_server.coalesce.get(run.id).to_json()
    with pytest.raises(InvalidTransition, match="cannot cancel"):
        run.cancel()

    other = remote.vendor("coalesce").add_run()
    other.hold()
    other.release()
    other.advance_to("completed")
    assert other.state == "completed"
    assert isinstance(other.created_at, dt.datetime)

    many = remote.kinetic.add_runs(3)
    assert [r.id for r in remote.kinetic.runs()] == [r.id for r in fake_runs_server.kinetic.runs()]
    assert {r.id for r in many} == {r.id for r in remote.kinetic.runs()}
    assert remote.kinetic.get(str(many[0].id)).id == many[0].id


def test_the_same_exceptions_as_in_process(remote: RemoteFakeRuns) -> None:
    with pytest.raises(KeyError, match="unknown vendor 'nope'"):
        remote.vendor("nope")
    with pytest.raises(AttributeError):
        remote.nope  # noqa: B018
    with pytest.raises(KeyError, match="no run with id"):
        remote.coalesce.get(12345)
    with pytest.raises(FakeRunsError, match="unknown state"):
        remote.coalesce.add_run(state="exploded")
    with pytest.raises(FakeRunsError, match="status must be one of"):
        remote.inject(status=418)
    with pytest.raises(FakeRunsError, match="unknown fault key"):
        remote.inject(status=429, vendr="coalesce")


def test_faults_hits_remove_and_the_journal(
    fake_runs_server: FakeRuns, remote: RemoteFakeRuns
) -> None:
    url = fake_runs_server.coalesce.base_url + "/api/v1/runs"
    fault = remote.inject(status=429, vendor="coalesce", times=1, retry_after=2)
    assert fault.hits == 0 and fault.status == 429 and fault.vendor == "coalesce"
    assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 429
    assert fault.hits == 1 and fault.active is False
    assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 200
    fault.remove()
    with remote.inject(status=500, vendor="coalesce") as again:
        assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 500
        assert again.hits == 1
    assert remote.faults == []
    assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 200

    calls = remote.calls
    assert [c.status for c in calls] == [429, 200, 500, 200]
    assert calls[0].fault == fault.id and calls[1].fault is None
    assert calls[0].path == "/api/v1/runs" and calls[0].delay == 0.0
    remote.assert_called(vendor="coalesce", method="GET", path="/api/v1/runs", times=4)
    remote.assert_called(vendor="coalesce")
    with pytest.raises(AssertionError, match=r"expected 2 call\(s\) matching vendor='coalesce'"):
        remote.assert_called(vendor="coalesce", times=2)
    with pytest.raises(AssertionError):
        remote.assert_called(vendor="kinetic")


def test_clock_and_reset(fake_runs_server: FakeRuns, remote: RemoteFakeRuns) -> None:
    before = remote.clock.now()
    after = remote.clock.advance(dt.timedelta(hours=1))
    assert 3590 < (after - before).total_seconds() < 3700
    assert remote.clock.advance(30) > after
    target = dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
    assert abs((remote.clock.set(target) - target).total_seconds()) < 5
    assert fake_runs_server.clock.now().year == 2031
    remote.coalesce.add_runs(2)
    remote.reset()
    assert fake_runs_server.coalesce.runs() == []
    assert fake_runs_server.clock.now().year != 2031


def test_deprecate_and_load_scenario_remotely(
    fake_runs_server: FakeRuns, remote: RemoteFakeRuns
) -> None:
    remote.coalesce.deprecate(
        dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), sunset_at=dt.date(2099, 1, 1)
    )
    r = requests.get(
        fake_runs_server.coalesce.base_url + "/api/v1/runs", headers=AUTH, timeout=BOUND
    )
    assert "Sunset" in r.headers
    remote.load_scenario(
        {
            "vendors": {"arcgis": {"add_runs": 2, "runs": [{"state": "running"}]}},
            "faults": [{"status": 503, "vendor": "arcgis"}],
        }
    )
    assert len(fake_runs_server.arcgis.runs()) == 3
    assert [f.status for f in remote.faults] == [503]
    with pytest.raises(FakeRunsError, match=r"scenario: vendors.arcgis.runs\[0\].state"):
        remote.load_scenario({"vendors": {"arcgis": {"runs": [{"state": "exploded"}]}}})


def test_a_token_is_sent_and_a_missing_one_is_named() -> None:
    fake = FakeRuns(seed=1)
    with serving(fake, admin_token="s3cret") as server:
        with pytest.raises(FakeRunsError, match="Bearer"):
            connect(server.url)
        remote = connect(server.url + "/", token="s3cret")
        assert remote.seed == 1


def test_an_unreachable_server_is_a_fakeruns_error() -> None:
    with serving(FakeRuns(seed=1)) as server:
        url = server.url
    with pytest.raises(FakeRunsError, match="cannot reach"):
        connect(url, timeout=2)


def test_importing_the_remote_client_loads_no_heavy_library() -> None:
    code = (
        "import json, sys\n"
        "import pytest_fakeruns.remote\n"
        "print(json.dumps([m for m in ('faker', 'freezegun', 'responses', 'httpx') "
        "if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []
