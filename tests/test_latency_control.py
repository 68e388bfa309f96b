"""Delays, sequences and chaos through the admin API and the remote client."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pytest_fakeruns import FakeRuns, FakeRunsError
from pytest_fakeruns.remote import connect

AUTH = {"Authorization": "Bearer t0k3n"}
BOUND = 10.0

pytestmark = pytest.mark.fake_runs(seed=11, progression="manual")


def admin(fake: FakeRuns, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, fake.url + "/__fakeruns/api" + path, json=body, timeout=BOUND)


def test_a_sequence_and_a_delay_range_through_the_api(fake_runs_server: FakeRuns) -> None:
    made = admin(
        fake_runs_server,
        "POST",
        "/faults",
        {"sequence": [429, None, {"status": 503, "retry_after": 7}], "vendor": "coalesce"},
    )
    assert made.status_code == 201, made.text
    shown = made.json()
    assert shown["sequence"] == [429, None, {"status": 503, "retry_after": 7}]
    url = fake_runs_server.coalesce.base_url + "/api/v1/runs"
    codes = [requests.get(url, headers=AUTH, timeout=BOUND).status_code for _ in range(4)]
    assert codes == [429, 200, 503, 200]
    assert admin(fake_runs_server, "GET", f"/faults/{shown['id']}").json()["hits"] == 3

    slow = admin(
        fake_runs_server,
        "POST",
        "/faults",
        {"delay": [0.05, 0.1], "vendor": "coalesce", "times": 1},
    )
    assert slow.status_code == 201 and slow.json()["delay"] == [0.05, 0.1]
    requests.get(url, headers=AUTH, timeout=BOUND)
    last = admin(fake_runs_server, "GET", "/calls").json()[-1]
    assert 0.05 <= last["delay"] <= 0.1 and last["fault"] == slow.json()["id"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"sequence": [418]}, "status must be one of"),
        ({"sequence": [{"oops": 1}]}, "unknown key(s) oops"),
        ({"delay": [3, 1]}, "0 <= low <= high"),
        ({"error": "slow_body"}, "needs delay=<seconds>"),
    ],
)
def test_bad_delays_and_sequences_are_400(
    fake_runs_server: FakeRuns, body: dict[str, Any], words: str
) -> None:
    answer = admin(fake_runs_server, "POST", "/faults", body)
    assert answer.status_code == 400 and words in answer.json()["error"], answer.text
    assert fake_runs_server.faults == []


def test_chaos_through_the_api_and_its_removal(fake_runs_server: FakeRuns) -> None:
    made = admin(
        fake_runs_server,
        "POST",
        "/chaos",
        {"rate": 1.0, "statuses": [503], "errors": [], "vendor": "coalesce"},
    )
    assert made.status_code == 201, made.text
    shown = made.json()
    assert shown["chaos"] is True and shown["rate"] == 1.0 and shown["statuses"] == [503]
    url = fake_runs_server.coalesce.base_url + "/api/v1/runs"
    assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 503
    listed = admin(fake_runs_server, "GET", "/faults").json()
    assert [f["id"] for f in listed] == [shown["id"]] and listed[0]["hits"] == 1
    assert admin(fake_runs_server, "DELETE", f"/faults/{shown['id']}").status_code == 204
    assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 200

    bad = admin(fake_runs_server, "POST", "/chaos", {"rate": 0.1, "often": True})
    assert bad.status_code == 400 and "unknown chaos key(s) 'often'" in bad.json()["error"]
    bad = admin(fake_runs_server, "POST", "/chaos", {"rate": 7})
    assert bad.status_code == 400 and "rate is a number" in bad.json()["error"]
    assert admin(fake_runs_server, "GET", "/chaos").status_code == 405


def test_remote_chaos_and_sequence(fake_runs_server: FakeRuns) -> None:
    remote = connect(fake_runs_server.url)
    url = fake_runs_server.coalesce.base_url + "/api/v1/runs"
    with remote.chaos(rate=1.0, statuses=[429], errors=[]) as chaos:
        assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 429
        assert chaos.hits == 1
        assert chaos.chaos and chaos.keywords["statuses"] == [429] and chaos.status is None
    assert requests.get(url, headers=AUTH, timeout=BOUND).status_code == 200
    fault = remote.inject(sequence=[None, 500], vendor="coalesce")
    assert [requests.get(url, headers=AUTH, timeout=BOUND).status_code for _ in range(3)] == [
        200,
        500,
        200,
    ]
    assert fault.hits == 2 and not fault.active
    with pytest.raises(FakeRunsError, match="rate is a number"):
        remote.chaos(rate=-1)
    assert [c.delay for c in remote.calls] == [0.0] * 5


def test_a_python_fault_shows_its_keywords_in_the_api(fake_runs_server: FakeRuns) -> None:
    fake_runs_server.inject(sequence=[{"delay": 0.01}, "malformed"], vendor="coalesce")
    fake_runs_server.chaos(rate=0.01, vendor="arcgis")
    url = fake_runs_server.coalesce.base_url + "/api/v1/runs"
    requests.get(url, headers=AUTH, timeout=BOUND)
    shown = admin(fake_runs_server, "GET", "/faults").json()
    assert shown[0]["sequence"] == [{"delay": 0.01}, {"error": "malformed"}]
    assert shown[0]["vendor"] == "coalesce" and shown[0]["hits"] == 1
