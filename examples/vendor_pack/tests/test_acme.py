"""The Acme pack under pytest-fakeruns: same store, clock, lifecycle, faults and journal."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytest.importorskip("fakeruns_acme", reason="install the pack: pip install ./examples/vendor_pack")

import requests

from pytest_fakeruns import FakeRuns

KEY = {"X-Acme-Key": "k-123"}


def test_list_is_newest_first_and_pages_with_next_links(fake_runs: FakeRuns) -> None:
    acme = fake_runs.acme
    made = acme.add_runs(5, pipeline_id="pl-1")
    url = f"{acme.base_url}/v1/pipelines/pl-1/runs"

    first = requests.get(url, params={"limit": 3}, headers=KEY, timeout=10).json()
    second = requests.get(first["next"], headers=KEY, timeout=10).json()

    shown = [run["id"] for run in first["runs"] + second["runs"]]
    assert shown == [run.id for run in acme.runs(pipeline_id="pl-1")]
    assert sorted(shown) == sorted(run.id for run in made)
    assert first["next"].startswith(acme.base_url + "/")
    assert "next" not in second


def test_the_item_is_run_to_json(fake_runs: FakeRuns) -> None:
    run = fake_runs.acme.add_run(pipelineId="pl-2", state="failed", reason="disk full")
    body = requests.get(
        f"{fake_runs.acme.base_url}/v1/runs/{run.id}", headers=KEY, timeout=10
    ).json()
    assert body == run.to_json()
    assert body["status"] == "failed"
    assert body["error"] == "disk full"


def test_without_a_key_is_401_in_the_acme_envelope(fake_runs: FakeRuns) -> None:
    fake_runs.acme.add_run(pipeline_id="pl-1")
    r = requests.get(f"{fake_runs.acme.base_url}/v1/pipelines/pl-1/runs", timeout=10)
    assert r.status_code == 401
    assert r.json() == {"error": {"code": 401, "message": "An X-Acme-Key header is required."}}
    fake_runs.acme.require_auth = False
    r = requests.get(f"{fake_runs.acme.base_url}/v1/pipelines/pl-1/runs", timeout=10)
    assert r.status_code == 200


def test_unknown_pipeline_and_bad_limit(fake_runs: FakeRuns) -> None:
    fake_runs.acme.add_run(pipeline_id="pl-1")
    base = fake_runs.acme.base_url
    missing = requests.get(f"{base}/v1/pipelines/nope/runs", headers=KEY, timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Pipeline nope was not found."
    bad = requests.get(f"{base}/v1/pipelines/pl-1/runs?limit=0", headers=KEY, timeout=10)
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "limit must be an integer from 1 to 100"


@pytest.mark.fake_runs(progression="manual")
def test_lifecycle_shared_with_every_vendor(fake_runs: FakeRuns) -> None:
    run = fake_runs.acme.add_run(pipeline_id="pl-1")
    url = f"{fake_runs.acme.base_url}/v1/runs/{run.id}"
    assert requests.get(url, headers=KEY, timeout=10).json()["status"] == "pending"
    run.advance()
    assert requests.get(url, headers=KEY, timeout=10).json()["status"] == "running"
    run.advance_to("completed")
    assert requests.get(url, headers=KEY, timeout=10).json()["status"] == "succeeded"


def test_time_progression_follows_the_fake_clock(fake_runs: FakeRuns) -> None:
    run = fake_runs.acme.add_run(pipeline_id="pl-1", durations={"waitingToRun": 5, "running": 60})
    fake_runs.clock.advance(5 + 60 + 1)
    assert run.state == "completed"
    assert run.status == "succeeded"


def test_faults_and_journal(fake_runs: FakeRuns) -> None:
    fake_runs.acme.add_run(pipeline_id="pl-1")
    url = f"{fake_runs.acme.base_url}/v1/pipelines/pl-1/runs"
    with fake_runs.inject(status=503, vendor="acme", retry_after=7) as fault:
        r = requests.get(url, headers=KEY, timeout=10)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "7"
    assert r.json() == {"error": {"code": 503, "message": "Acme is down for maintenance."}}
    assert fault.hits == 1
    assert requests.get(url, headers=KEY, timeout=10).status_code == 200
    fake_runs.assert_called(vendor="acme", path="/v1/pipelines/{pipelineId}/runs", times=2)


def test_served_over_http_links_point_at_the_server(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.acme.add_runs(3, pipeline_id="pl-1")
    assert fake_runs_server.acme.base_url == f"{fake_runs_server.url}/acme"
    request = urllib.request.Request(
        f"{fake_runs_server.acme.base_url}/v1/pipelines/pl-1/runs?limit=2", headers=KEY
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = json.load(answer)
    assert body["next"].startswith(f"{fake_runs_server.url}/acme/v1/pipelines/pl-1/runs?")
