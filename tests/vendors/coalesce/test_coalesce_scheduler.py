"""Coalesce runs and scheduler: one run, startRun, runStatus, cancelRun, rerun, progressions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from pytest_fakeruns import Run
from tests._clients import Api

AUTH = {"Authorization": "Bearer t0k3n"}
JSON = "application/json; charset=utf-8"
BASIC = {"snowflakeAuthType": "Basic", "snowflakeUsername": "LOADER", "snowflakePassword": "s3cret"}
FULL_KEYS = [
    "id",
    "runDetails",
    "runStatus",
    "runTimeParameters",
    "runType",
    "version",
    "reRunID",
    "runEndTime",
    "runStartTime",
    "userCredentials",
    "userID",
]
REFRESH_DETAILS = [
    "environmentID",
    "canceled",
    "includeNodesSelector",
    "excludeNodesSelector",
    "jobID",
    "parallelism",
    "nodesInRun",
]
DEPLOY_DETAILS = [
    "deployCommit",
    "deployCommitMessage",
    "environmentID",
    "canceled",
    "parallelism",
    "nodesInRun",
]
PUBLIC_CREDENTIALS = [
    "snowflakeAccount",
    "snowflakeAuthType",
    "snowflakeUsername",
    "snowflakeRole",
    "snowflakeWarehouse",
]
ACTIVE = ["waitingToRun", "initializing", "rendering", "running"]
ENDED = ["completed", "failed", "canceled"]


def start(api: Api, env: str = "2", **body: Any) -> int:
    payload = {"runDetails": {"environmentID": env}, "userCredentials": BASIC, **body}
    answer = api.post("coalesce", "/scheduler/startRun", json=payload, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == JSON
    body = answer.json()
    assert list(body) == ["runCounter"] and isinstance(body["runCounter"], int)
    return int(body["runCounter"])


def status(api: Api, run_id: int | str) -> Any:
    answer = api.get(
        "coalesce", "/scheduler/runStatus", params={"runCounter": run_id}, headers=AUTH
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == JSON
    return answer.json()


def word(api: Api, run_id: int | str) -> str:
    return str(status(api, run_id)["runStatus"])


def full(api: Api, run_id: int | str) -> Any:
    answer = api.get("coalesce", f"/api/v1/runs/{run_id}", headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == JSON
    return answer.json()


def cancel(api: Api, run_id: object, env: str = "2") -> Any:
    body = {"runID": run_id, "orgID": "acme", "environmentID": env}
    return api.post("coalesce", "/scheduler/cancelRun", json=body, headers=AUTH)


def rerun(api: Api, run_id: object) -> Any:
    body = {"runDetails": {"runID": run_id}, "userCredentials": BASIC}
    return api.post("coalesce", "/scheduler/rerun", json=body, headers=AUTH)


def bad_request(answer: Any, detail: str) -> None:
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"error": {"errorString": "Bad Request", "errorDetail": detail}}


def in_order(keys: list[str], order: list[str]) -> bool:
    return keys == [k for k in order if k in keys]


# -- GET /api/v1/runs/{runID} ---------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
def test_one_refresh_run_in_full(api: Api) -> None:
    run = api.fake.coalesce.add_run(
        environment_id="2",
        runType="refresh",
        state="completed",
        jobID="12",
        created_at="2026-03-02T09:00:00Z",
        durations={"waitingToRun": 2, "running": 100},
        userCredentials={
            "snowflakeAccount": "AB12345.us-east-1",
            "snowflakeAuthType": "Basic",
            "snowflakeUsername": "LOADER",
            "snowflakePassword": "s3cret",
            "snowflakeRole": "R",
            "snowflakeWarehouse": "W",
        },
    )

    body = full(api, run.id)

    assert list(body) == [k for k in FULL_KEYS if k != "reRunID"]
    assert list(body["runDetails"]) == REFRESH_DETAILS
    assert body["runDetails"]["environmentID"] == "2"
    assert body["runDetails"]["canceled"] is False
    assert body["runDetails"]["jobID"] == "12"
    assert body["runDetails"]["parallelism"] == 16
    assert isinstance(body["runDetails"]["nodesInRun"], int)
    assert (body["runStatus"], body["runType"], body["version"]) == ("completed", "refresh", 1)
    assert body["runTimeParameters"] == {}
    assert body["runStartTime"] == "2026-03-02T09:00:02Z"
    assert body["runEndTime"] == "2026-03-02T09:01:42Z"
    assert body["userCredentials"] == {
        "snowflakeAccount": "AB12345.us-east-1",
        "snowflakeAuthType": "Basic",
        "snowflakeUsername": "LOADER",
        "snowflakeRole": "R",
        "snowflakeWarehouse": "W",
    }
    assert "s3cret" not in json.dumps(body)
    assert isinstance(body["userID"], str) and body["userID"]


@pytest.mark.fake_runs(progression="manual")
def test_one_deploy_run_in_full(api: Api) -> None:
    run = api.fake.coalesce.add_run(
        runType="deploy", state="running", userCredentials={"snowflakeRole": "DEPLOYER"}
    )

    body = full(api, run.id)

    assert list(body["runDetails"]) == DEPLOY_DETAILS
    assert body["userCredentials"]["snowflakeRole"] == "DEPLOYER"  # the rest is generated
    assert body["userCredentials"]["snowflakeAccount"].endswith(".us-east-1")
    commit = body["runDetails"]["deployCommit"]
    assert len(commit) == 40 and int(commit, 16) >= 0
    assert body["runType"] == "deploy"
    assert list(body["userCredentials"]) == PUBLIC_CREDENTIALS
    assert "runEndTime" not in body and "runStartTime" in body


@pytest.mark.fake_runs(progression="manual")
def test_a_failure_reason_is_in_the_summary_not_in_the_full_object(api: Api) -> None:
    run = api.fake.coalesce.add_run(state="running")
    run.fail(reason="Node 'X' failed")

    body = full(api, run.id)
    listed = api.get("coalesce", "/api/v1/runs", headers=AUTH).json()["data"][0]

    assert body["runStatus"] == "failed" and "runFailureReason" not in body
    assert listed["runFailureReason"] == "Node 'X' failed"
    assert run.to_json() == listed


@pytest.mark.fake_runs(progression="manual")
def test_unknown_run_is_404_in_the_envelope(api: Api) -> None:
    api.fake.coalesce.add_runs(2)

    answer = api.get("coalesce", "/api/v1/runs/4899", headers=AUTH)

    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == JSON
    assert answer.json() == {
        "error": {"errorString": "Not Found", "errorDetail": "Run 4899 was not found."}
    }


# -- POST /scheduler/startRun ---------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
def test_start_run_creates_a_waiting_refresh_run_as_asked(api: Api) -> None:
    api.fake.coalesce.add_parent("2")
    run_id = start(
        api,
        runDetails={
            "environmentID": "2",
            "jobID": "7",
            "includeNodesSelector": "+STG",
            "excludeNodesSelector": "DIM_X",
            "parallelism": 4,
            "forceIgnoreWorkspaceStatus": True,
            "unknownField": 1,
        },
        userCredentials={
            "snowflakeAuthType": "KeyPair",
            "snowflakeUsername": "SVC",
            "snowflakeKeyPairKey": "-----BEGIN KEY-----",
            "snowflakeKeyPairPass": "pp",
            "snowflakeRole": "LOADER_ROLE",
            "snowflakeWarehouse": "WH",
        },
        parameters={"region": "us"},
    )

    run = api.fake.coalesce.get(run_id)
    body = full(api, run_id)

    assert run.state == "waitingToRun" and run.vendor == "coalesce"
    assert body["runStatus"] == "waitingToRun" and body["runType"] == "refresh"
    assert body["runDetails"] == {
        "environmentID": "2",
        "canceled": False,
        "includeNodesSelector": "+STG",
        "excludeNodesSelector": "DIM_X",
        "jobID": "7",
        "parallelism": 4,
        "nodesInRun": body["runDetails"]["nodesInRun"],
    }
    assert body["runTimeParameters"] == {"region": "us"}
    creds = body["userCredentials"]
    assert list(creds) == PUBLIC_CREDENTIALS
    assert (
        creds["snowflakeAuthType"],
        creds["snowflakeUsername"],
        creds["snowflakeRole"],
        creds["snowflakeWarehouse"],
    ) == ("KeyPair", "SVC", "LOADER_ROLE", "WH")
    assert "BEGIN KEY" not in json.dumps(body) and '"pp"' not in json.dumps(body)
    assert "runStartTime" not in body and "reRunID" not in body


@pytest.mark.fake_runs(progression="manual")
def test_start_run_defaults_and_other_auth_types(api: Api) -> None:
    api.fake.coalesce.add_parent("2")
    first = start(api)
    oauth = start(api, userCredentials={"snowflakeAuthType": "OAuth"})
    edges = [start(api, runDetails={"environmentID": "2", "parallelism": p}) for p in (1, 1024)]

    details = full(api, first)["runDetails"]

    assert oauth == first + 1 and edges == [first + 2, first + 3]
    assert (details["jobID"], details["includeNodesSelector"], details["parallelism"]) == (
        "",
        "",
        16,
    )
    assert full(api, edges[1])["runDetails"]["parallelism"] == 1024
    assert full(api, oauth)["userCredentials"]["snowflakeAuthType"] == "OAuth"


# -- GET /scheduler/runStatus ---------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
def test_run_status_answers_status_type_and_link(api: Api) -> None:
    api.fake.coalesce.add_parent("2")
    run_id = start(api)
    deploy = api.fake.coalesce.add_run(runType="deploy", state="rendering")

    body = status(api, run_id)

    assert list(body) == ["runStatus", "runType", "runLink"]
    assert body == {
        "runStatus": "waitingToRun",
        "runType": "refresh",
        "runLink": f"{api.fake.coalesce.base_url}/runs/{run_id}",
    }
    assert status(api, deploy.id)["runStatus"] == "rendering"
    assert status(api, deploy.id)["runType"] == "deploy"


@pytest.mark.fake_runs(base_urls={"coalesce": "https://app.eu.coalescesoftware.io/"})
def test_run_link_uses_the_configured_root(api: Api) -> None:
    run = api.fake.coalesce.add_run()

    link = status(api, run.id)["runLink"]

    assert link == f"https://app.eu.coalescesoftware.io/runs/{run.id}"


# -- POST /scheduler/cancelRun --------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize("step", ACTIVE)
def test_cancel_any_active_step_answers_204_without_body(api: Api, step: str) -> None:
    run = api.fake.coalesce.add_run(environment_id="2", state=step)

    answer = cancel(api, run.id)

    assert answer.status_code == 204
    assert answer.content == b""
    assert "Content-Type" not in answer.headers
    assert run.state == "canceled"
    assert word(api, run.id) == "canceled"
    body = full(api, run.id)
    assert body["runDetails"]["canceled"] is True
    assert "runEndTime" in body
    assert ("runStartTime" in body) == (step != "waitingToRun")


@pytest.mark.fake_runs(progression="manual")
def test_cancel_takes_a_numeric_string_id(api: Api) -> None:
    run = api.fake.coalesce.add_run(environment_id="2", state="running")

    assert cancel(api, str(run.id)).status_code == 204
    assert run.state == "canceled"


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize("end", ENDED)
def test_cancel_an_ended_run_is_refused(api: Api, end: str) -> None:
    run = api.fake.coalesce.add_run(environment_id="2", state=end)

    bad_request(cancel(api, run.id), f"Run {run.id} is not in progress.")
    assert run.state == end


@pytest.mark.fake_runs(progression="manual")
def test_cancel_checks_the_environment_and_the_run(api: Api) -> None:
    run = api.fake.coalesce.add_run(environment_id="2", state="running")

    bad_request(cancel(api, run.id, env="3"), f"Run {run.id} does not belong to environment 3.")
    bad_request(cancel(api, 4899), "Run 4899 was not found.")
    assert run.state == "running"


def test_cancel_sees_the_run_as_of_now(api: Api) -> None:
    """In time progression a run whose end is due is already ended when the cancel arrives."""
    run = api.fake.coalesce.add_run(environment_id="2", durations={"waitingToRun": 1, "running": 1})
    api.fake.clock.advance(10)

    bad_request(cancel(api, run.id), f"Run {run.id} is not in progress.")
    assert run.state == "completed"


# -- POST /scheduler/rerun ------------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize("end", ENDED)
def test_rerun_an_ended_run(api: Api, end: str) -> None:
    original = api.fake.coalesce.add_run(
        environment_id="5", state=end, runType="refresh", jobID="3", includeNodesSelector="+A"
    )

    answer = rerun(api, original.id)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == JSON
    new_id = answer.json()["runCounter"]
    assert list(answer.json()) == ["runCounter"] and new_id == int(original.id) + 1
    summary = api.fake.coalesce.get(new_id).to_json()
    assert list(summary)[:2] == ["id", "reRunID"]
    assert summary["reRunID"] == str(original.id)
    assert (summary["runStatus"], summary["runType"], summary["environmentID"]) == (
        "waitingToRun",
        "refresh",
        "5",
    )
    body = full(api, new_id)
    assert in_order(list(body), FULL_KEYS) and body["reRunID"] == str(original.id)
    assert (body["runDetails"]["jobID"], body["runDetails"]["includeNodesSelector"]) == ("3", "+A")
    assert original.state == end


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize("step", ACTIVE)
def test_rerun_an_active_run_is_refused(api: Api, step: str) -> None:
    run = api.fake.coalesce.add_run(state=step)

    bad_request(
        rerun(api, run.id), f"Run {run.id} is still in progress; only an ended run can be re-run."
    )
    bad_request(rerun(api, 4899), "Run 4899 was not found.")
    assert len(api.fake.coalesce.runs()) == 1


@pytest.mark.fake_runs(progression="manual")
def test_rerun_takes_a_numeric_string_id(api: Api) -> None:
    run = api.fake.coalesce.add_run(state="failed")

    answer = rerun(api, str(run.id))

    assert answer.status_code == 200
    assert api.fake.coalesce.get(answer.json()["runCounter"]).fields["reRunID"] == str(run.id)


# -- start -> poll -> completed, per progression ----------------------------------------------


def test_time_progression_moves_through_every_word_at_its_instant(api: Api) -> None:
    fake = api.fake
    fake.coalesce.add_parent("2")
    run_id = start(api)
    run = fake.coalesce.get(run_id)
    w, r = run.durations["waitingToRun"], run.durations["running"]
    created = run.created_at
    # the due instant of each step, as the lifecycle adds them up
    due = [created + dt.timedelta(seconds=w)]
    for share in (0.15, 0.15, 0.70):
        due.append(due[-1] + dt.timedelta(seconds=r * share))
    expected = ["waitingToRun", "initializing", "rendering", "running", "completed"]

    seen = [word(api, run_id)]
    with fake.clock.freeze():  # the fake's instant stands still between set() and the read
        for instant in due:
            fake.clock.set(instant - dt.timedelta(microseconds=1))
            assert word(api, run_id) == seen[-1]
            fake.clock.set(instant)
            seen.append(word(api, run_id))

    assert seen == expected
    body = full(api, run_id)
    assert body["runStartTime"] == due[0].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["runEndTime"] == due[-1].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert run.started_at == due[0] and run.ended_at == due[-1]


def test_time_progression_one_clock_jump_crosses_every_step(api: Api) -> None:
    api.fake.coalesce.add_parent("2")
    run_id = start(api)
    run = api.fake.coalesce.get(run_id)

    api.fake.clock.advance(sum(run.durations.values()) + 1)

    assert word(api, run_id) == "completed"
    assert run.started_at is not None
    assert run.ended_at == run.started_at + dt.timedelta(seconds=run.durations["running"])


@pytest.mark.fake_runs(progression="poll")
def test_poll_progression_moves_one_step_per_read(api: Api) -> None:
    api.fake.coalesce.add_parent("2")
    run_id = start(api)
    api.fake.clock.advance(3600)  # the clock never moves a run in poll mode

    seen = [word(api, run_id) for _ in range(6)]

    assert seen == [
        "waitingToRun",
        "initializing",
        "rendering",
        "running",
        "completed",
        "completed",
    ]


@pytest.mark.fake_runs(progression="poll")
def test_poll_progression_counts_every_api_read(api: Api) -> None:
    run = api.fake.coalesce.add_run()

    shown = [
        full(api, run.id)["runStatus"],
        api.get("coalesce", "/api/v1/runs", headers=AUTH).json()["data"][0]["runStatus"],
        word(api, run.id),
    ]
    python_reads = (run.state, run.status, run.to_json(), api.fake.coalesce.runs())

    assert shown == ["waitingToRun", "initializing", "rendering"]
    assert python_reads[1] == "running" and run.status == "running"


@pytest.mark.fake_runs(progression="manual")
def test_manual_progression_moves_only_with_run_methods(api: Api) -> None:
    api.fake.coalesce.add_parent("2")
    run_id = start(api)
    run = api.fake.coalesce.get(run_id)

    api.fake.clock.advance(3600)
    still = [word(api, run_id) for _ in range(3)]
    seen = []
    for _ in range(4):
        run.advance()
        seen.append(word(api, run_id))

    assert still == ["waitingToRun"] * 3
    assert seen == ["initializing", "rendering", "running", "completed"]


@pytest.mark.fake_runs(progression="manual")
def test_a_rerun_of_a_canceled_run_runs_to_completion(api: Api) -> None:
    api.fake.coalesce.add_parent("2")
    first = start(api)
    assert cancel(api, first).status_code == 204

    second = rerun(api, first).json()["runCounter"]
    run: Run = api.fake.coalesce.get(second).advance_to("completed")

    assert word(api, second) == "completed"
    assert full(api, second)["reRunID"] == str(first)
    assert run.state == "completed"
