"""A deprecation scenario to copy: the client keeps working until the sunset, notices the
Sunset header on the way, and fails clearly once the endpoint is gone."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from workiva_client import EndpointGone, WorkivaClient

from pytest_fakeruns import DeprecatedEndpointWarning, FakeRuns

SCRIPT = "5f0c2a7e9d4b4e1c8a3f6b2d7e9c1a40"
BEFORE_SUNSET = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def client(fake_runs: FakeRuns) -> WorkivaClient:
    fake_runs.clock.set(BEFORE_SUNSET)  # the scenario does not depend on today's date
    client = WorkivaClient("my-client", "my-secret")
    client.authenticate()
    return client


def test_pages_every_run_and_notices_the_sunset(
    fake_runs: FakeRuns, client: WorkivaClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_runs.workiva.add_runs(250, script_id=SCRIPT)

    with pytest.warns(DeprecatedEndpointWarning), caplog.at_level(logging.WARNING):
        runs = list(client.script_runs(SCRIPT, page_size=100))

    assert len(runs) == 250 and len({r["id"] for r in runs}) == 250
    assert client.sunset == "Sun, 31 Jan 2027 00:00:00 GMT"
    assert "Workiva will retire" in caplog.text
    fake_runs.assert_called(
        vendor="workiva", path="/prototype/platform/scripts/{scriptId}/runs", times=3
    )


def test_fails_clearly_after_the_sunset(fake_runs: FakeRuns, client: WorkivaClient) -> None:
    fake_runs.workiva.add_runs(3, script_id=SCRIPT)
    fake_runs.clock.set(dt.datetime(2027, 1, 31, tzinfo=dt.timezone.utc))

    with pytest.warns(DeprecatedEndpointWarning), pytest.raises(EndpointGone, match="sunset"):
        list(client.script_runs(SCRIPT))


def test_an_expired_token_is_refused(fake_runs: FakeRuns, client: WorkivaClient) -> None:
    fake_runs.workiva.add_runs(3, script_id=SCRIPT)
    fake_runs.clock.advance(601)  # tokens the fake issues live 600 s on its clock

    with pytest.warns(DeprecatedEndpointWarning), pytest.raises(Exception, match="401"):
        list(client.script_runs(SCRIPT))
