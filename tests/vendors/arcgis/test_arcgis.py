"""ArcGIS Enterprise system task runs, over every transport (contracts/arcgis.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import freezegun
import pytest
import requests

from pytest_fakeruns import FakeRuns, FakeRunsError, Run
from tests._clients import Api
from tests._golden import shape

UTC = dt.timezone.utc
TASK = "3e5c0f1b9a7d4c2e8f6a1b0d9c8e7f65"
RUNS = f"/system/tasks/{TASK}/runs"
TOKEN = {"token": "t0k3n"}
JSON = {"f": "json", **TOKEN}
HEX32 = re.compile(r"[0-9a-f]{32}\Z")
US_DATE = re.compile(
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [1-9]\d?, \d{4}, "
    r"(1[0-2]|[1-9]):[0-5]\d:[0-5]\d (AM|PM)\Z"
)

_SEED_TASK: dict[str, Any] = {
    "generation": 6,
    "created": "Apr 21, 2021, 10:42:17 PM",
    "active": True,
    "ownerId": "c076e404cec9497488f008fc5b83e6fa",
    "type": "GP_JOBS_CLEANER_TASK_TYPE",
    "orgId": "0123456789ABCDEF",
    "cronSchedule": {"dayOfWeek": "?", "hour": "*", "month": "*", "dayOfMonth": "*", "minute": "0"},
    "cronExpression": "0 0 * * * ?",
    "itemId": "0a78247d-0d0d-4b69-a658-03104e15bd66",
    "runIntervalSeconds": 3600,
    "taskType": "CleanGPJobs",
    "taskState": "active",
    "taskTitle": "gpCleanerTask",
    "maxOccurrences": -1,
    "id": "2a1ba86743414f929c0c1f38b32f1c9c",
    "lastStart": "Apr 22, 2021, 3:00:00 AM",
    "updated": "Apr 22, 2021, 3:04:29 AM",
    "taskId": "2a1ba86743414f929c0c1f38b32f1c9c",
}
# the seed page's example (its missing comma between the first two results mended), two of four
SEED_EXAMPLE: dict[str, Any] = {
    "result": [
        {
            "result": "GP Jobs have been cleaned.",
            "task": _SEED_TASK,
            "created": "Apr 22, 2021, 3:00:31 AM",
            "modified": "Apr 22, 2021, 3:00:31 AM",
            "runId": "dae1bfa5d6ec44349790ebb3f27dd4e1",
            "url": "",
            "status": "succeeded",
        },
        {
            "result": "GP Jobs have been cleaned.",
            "task": _SEED_TASK,
            "created": "Apr 22, 2021, 2:00:31 AM",
            "modified": "Apr 22, 2021, 2:00:31 AM",
            "runId": "a117f2c79e6b466b94947fa5521d514d",
            "url": "",
            "status": "succeeded",
        },
    ],
    "total": 4,
    "num": 4,
    "start": 0,
    "nextStart": 0,
}

# contracts/arcgis.md §4, byte for byte
CONTRACT_PJSON = """{
  "result": [
    {
      "result": "GP Jobs have been cleaned.",
      "task": {
        "generation": 3,
        "created": "Feb 27, 2026, 4:12:09 PM",
        "active": true,
        "ownerId": "8d1f2c3b4a5e6f708192a3b4c5d6e7f8",
        "type": "GP_JOBS_CLEANER_TASK_TYPE",
        "orgId": "A7C3E9F1B5D2084E",
        "cronSchedule": {
          "dayOfWeek": "?",
          "hour": "*",
          "month": "*",
          "dayOfMonth": "*",
          "minute": "0"
        },
        "cronExpression": "0 0 * * * ?",
        "itemId": "4b0e7d2a-91c6-4f35-8e1d-6a2b9c0f7e13",
        "runIntervalSeconds": 3600,
        "taskType": "CleanGPJobs",
        "taskState": "active",
        "taskTitle": "gpCleanerTask",
        "maxOccurrences": -1,
        "id": "3e5c0f1b9a7d4c2e8f6a1b0d9c8e7f65",
        "lastStart": "Mar 2, 2026, 10:00:00 AM",
        "updated": "Mar 2, 2026, 10:00:41 AM",
        "taskId": "3e5c0f1b9a7d4c2e8f6a1b0d9c8e7f65"
      },
      "created": "Mar 2, 2026, 10:00:03 AM",
      "modified": "Mar 2, 2026, 10:00:41 AM",
      "runId": "5d8e2f7a1c0b4d39a6e4f2b8c1d0e9a7",
      "url": "",
      "status": "succeeded"
    }
  ],
  "total": 3,
  "num": 1,
  "start": 0,
  "nextStart": 1
}"""


def error(code: int, message: str, details: list[str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def contract_task(fake: FakeRuns) -> list[Run]:
    """The contract example's task and three runs, the newest as shown there."""
    task = fake.arcgis.add_parent(TASK)
    task.data.update(
        generation=3,
        created=dt.datetime(2026, 2, 27, 16, 12, 9, tzinfo=UTC),
        ownerId="8d1f2c3b4a5e6f708192a3b4c5d6e7f8",
        orgId="A7C3E9F1B5D2084E",
        itemId="4b0e7d2a-91c6-4f35-8e1d-6a2b9c0f7e13",
    )
    runs = [
        fake.arcgis.add_run(
            task_id=TASK,
            state="succeeded",
            created_at=dt.datetime(2026, 3, 2, hour, 0, 2, tzinfo=UTC),
            durations={"waitingToRun": 30, "running": 5},
        )
        for hour in (8, 9)
    ]
    runs.append(
        fake.arcgis.add_run(
            task_id=TASK,
            runId="5d8e2f7a1c0b4d39a6e4f2b8c1d0e9a7",
            state="succeeded",
            created_at=dt.datetime(2026, 3, 2, 10, 0, 3, tzinfo=UTC),
            durations={"waitingToRun": 30, "running": 8},
        )
    )
    return runs


# -- shapes and examples -------------------------------------------------------------------


def test_list_has_the_seed_examples_shape(api: Api) -> None:
    api.fake.arcgis.add_runs(4, task_id=TASK, state="succeeded")

    answer = api.get("arcgis", RUNS, params=JSON)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"
    body = answer.json()
    assert shape(body) == shape(SEED_EXAMPLE)
    assert (body["total"], body["num"], body["start"], body["nextStart"]) == (4, 4, 0, 0)
    for item in body["result"]:
        assert shape(item) == shape(SEED_EXAMPLE["result"][0])
        assert item["result"] == "GP Jobs have been cleaned."
        assert item["url"] == ""
        assert HEX32.match(item["runId"])
        task = item["task"]
        assert task["id"] == task["taskId"] == TASK
        assert len(task["orgId"]) == 16 and HEX32.match(task["ownerId"])
        for date in (
            item["created"],
            item["modified"],
            task["created"],
            task["lastStart"],
            task["updated"],
        ):
            assert US_DATE.match(date), date


def test_contract_pjson_example_byte_for_byte(api: Api) -> None:
    contract_task(api.fake)

    answer = api.get("arcgis", RUNS, params={"f": "pjson", "num": "1", "token": "t0k3n"})

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert answer.content == CONTRACT_PJSON.encode()


def test_json_is_the_same_document_compact(api: Api) -> None:
    contract_task(api.fake)

    answer = api.get("arcgis", RUNS, params={"f": "json", "num": "1", "token": "t0k3n"})

    expected = json.dumps(json.loads(CONTRACT_PJSON), separators=(",", ":"))
    assert answer.content == expected.encode()


def test_compact_json_of_any_page_is_plain_json_dumps(api: Api) -> None:
    w = api.fake.arcgis
    w.add_runs(30, task_id=TASK)
    w.add_run(task_id=TASK, runId='quote"and\\back', state="failed")
    w.add_run(task_id=TASK, state="succeeded", result='line\nbreak "quoted" é \u2028')

    answer = api.get("arcgis", RUNS, params={**JSON, "num": "40"})

    body = answer.json()
    assert answer.content == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    assert len(body["result"]) == 32


def test_run_to_json_is_the_list_item(api: Api) -> None:
    runs = contract_task(api.fake)

    listed = api.get("arcgis", RUNS, params=JSON).json()["result"]

    assert listed == [run.to_json() for run in reversed(runs)]
    assert runs[2].to_json() == json.loads(CONTRACT_PJSON)["result"][0]


def test_html_is_the_default_format(api: Api) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK, state="failed", reason="Disk <full>")

    answer = api.get("arcgis", RUNS, params=TOKEN)
    explicit = api.get("arcgis", RUNS, params={"f": "html", **TOKEN})

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert answer.text.startswith("<!DOCTYPE html>")
    for text in (str(run.id), "failed", run.to_json()["created"], "Disk &lt;full&gt;"):
        assert text in answer.text
    assert explicit.content == answer.content


# -- one run and update --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_one_run_is_the_run_object_alone(api: Api, method: str) -> None:
    runs = contract_task(api.fake)
    path = f"{RUNS}/{runs[2].id}"

    if method == "GET":
        answer = api.get("arcgis", path, params=JSON)
    else:
        answer = api.post("arcgis", path, data=JSON)

    assert answer.json() == json.loads(CONTRACT_PJSON)["result"][0]


def test_unknown_run_or_a_run_of_another_task_is_a_404_in_200(api: Api) -> None:
    mine = api.fake.arcgis.add_run(task_id=TASK)
    other = api.fake.arcgis.add_run(task_id="0" * 32)

    unknown = api.get("arcgis", f"{RUNS}/feedface", params=JSON)
    foreign = api.get("arcgis", f"{RUNS}/{other.id}", params=JSON)
    no_task = api.get("arcgis", f"/system/tasks/nope/runs/{mine.id}", params=JSON)

    assert unknown.status_code == foreign.status_code == no_task.status_code == 200
    assert unknown.json() == error(404, "Run 'feedface' not found.")
    assert foreign.json() == error(404, f"Run '{other.id}' not found.")
    assert no_task.json() == error(404, "Task 'nope' not found.")


def update(api: Api, run: Run, status: str | None, **extra: str) -> Any:
    data = {"f": "json", "token": "t0k3n", **extra}
    if status is not None:
        data["status"] = status
    return api.post("arcgis", f"{RUNS}/{run.id}/update", data=data)


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["executing", "succeeded"], "succeeded"),
        (["executing", "failed"], "failed"),
        (["executing", "skipped"], "skipped"),
        (["skipped"], "skipped"),
    ],
)
def test_update_walks_the_legal_moves(api: Api, path: list[str], final: str) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK)

    answers = [update(api, run, status) for status in path]

    assert [a.json() for a in answers] == [{"status": "success"}] * len(path)
    assert run.status == final
    shown = api.get("arcgis", f"{RUNS}/{run.id}", params=JSON).json()
    assert shown["status"] == final
    assert shown["modified"] == shown["task"]["updated"]


@pytest.mark.fake_runs(progression="manual")
def test_update_to_the_current_status_is_a_no_op_success(api: Api) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK, state="executing")
    before = run.updated_at

    answer = update(api, run, "executing", result="still going")

    assert answer.json() == {"status": "success"}
    assert run.status == "executing" and run.updated_at == before
    assert run.to_json()["result"] == ""


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("scheduled", "succeeded"),
        ("scheduled", "failed"),
        ("scheduled", "submitfailed"),
        ("executing", "scheduled"),
        ("executing", "submitfailed"),
        ("succeeded", "executing"),
        ("failed", "succeeded"),
        ("skipped", "executing"),
        ("submitfailed", "scheduled"),
    ],
)
def test_illegal_moves_are_refused(api: Api, start: str, target: str) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK, state=start)

    answer = update(api, run, target)

    assert answer.status_code == 200
    assert answer.json() == error(400, f"Invalid status transition from '{start}' to '{target}'.")
    assert run.status == start


@pytest.mark.fake_runs(progression="manual")
def test_update_result_text_is_shown(api: Api) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK, state="executing")

    update(api, run, "failed", result="Could not reach the GP server.")

    assert run.to_json()["result"] == "Could not reach the GP server."
    assert run.status == "failed"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ({}, "Missing required parameter 'status'."),
        ({"status": "done"}, "Invalid value for parameter 'status': done"),
        ({"status": "Succeeded"}, "Invalid value for parameter 'status': Succeeded"),
    ],
)
def test_update_without_a_valid_status_is_a_400(
    api: Api, data: dict[str, str], detail: str
) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK)

    answer = api.post("arcgis", f"{RUNS}/{run.id}/update", data={**JSON, **data})

    assert answer.json() == error(400, "Invalid or missing input parameters.", [detail])


def test_get_on_update_is_method_not_supported(api: Api) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK)

    answer = api.get("arcgis", f"{RUNS}/{run.id}/update", params={**JSON, "status": "skipped"})

    assert answer.status_code == 200
    assert answer.json() == error(405, "Method not supported.")
    assert run.status == "scheduled"


def test_update_needs_the_token_in_the_body(api: Api) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK)

    answer = api.post(
        "arcgis", f"{RUNS}/{run.id}/update", params=TOKEN, data={"f": "json", "status": "skipped"}
    )

    assert answer.json() == error(499, "Token Required")
    assert run.status == "scheduled"


# -- parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["xml", "JSON", "", "kmz"])
def test_unknown_f_is_a_400_written_as_json(api: Api, value: str) -> None:
    api.fake.arcgis.add_run(task_id=TASK)

    answer = api.get("arcgis", RUNS, params={"f": value, **TOKEN})

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert answer.json() == error(
        400, "Invalid or missing input parameters.", [f"Invalid value for parameter 'f': {value}"]
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("start", "-1"),
        ("start", "abc"),
        ("start", "1.5"),
        ("start", ""),
        ("start", "+1"),
        ("num", "0"),
        ("num", "-5"),
        ("num", "ten"),
        ("num", "2.0"),
        ("num", ""),
    ],
)
def test_bad_start_or_num_is_a_400_naming_it(api: Api, name: str, value: str) -> None:
    api.fake.arcgis.add_run(task_id=TASK)

    answer = api.get("arcgis", RUNS, params={**JSON, name: value})

    assert answer.status_code == 200
    assert answer.json() == error(
        400,
        "Invalid or missing input parameters.",
        [f"Invalid value for parameter '{name}': {value}"],
    )


def test_parameter_names_are_case_sensitive(api: Api) -> None:
    api.fake.arcgis.add_runs(12, task_id=TASK)

    answer = api.get("arcgis", RUNS, params={"f": "json", "NUM": "1", "Start": "x", **TOKEN})

    assert answer.json()["num"] == 10


def test_num_defaults_to_10_and_is_clamped_to_100(api: Api) -> None:
    api.fake.arcgis.add_runs(150, task_id=TASK)

    default = api.get("arcgis", RUNS, params=JSON).json()
    clamped = api.get("arcgis", RUNS, params={**JSON, "num": "500"}).json()
    huge = api.get("arcgis", RUNS, params={**JSON, "num": "9" * 30}).json()

    assert (default["num"], default["nextStart"], len(default["result"])) == (10, 10, 10)
    assert (clamped["num"], clamped["nextStart"]) == (100, 100)
    assert huge["num"] == 100


def test_start_past_the_end_is_an_empty_page(api: Api) -> None:
    api.fake.arcgis.add_runs(5, task_id=TASK)

    for start in ("5", "6", "9" * 25):
        body = api.get("arcgis", RUNS, params={**JSON, "start": start}).json()
        assert (body["result"], body["total"], body["num"], body["nextStart"]) == ([], 5, 0, 0)
        assert body["start"] == int(start)


def test_unknown_task_is_a_404_in_200(api: Api) -> None:
    answer = api.get("arcgis", "/system/tasks/feedc0de/runs", params=JSON)

    assert answer.status_code == 200
    assert answer.json() == error(404, "Task 'feedc0de' not found.")


def test_post_reads_like_get_with_a_form_body(api: Api) -> None:
    api.fake.arcgis.add_runs(15, task_id=TASK)

    by_get = api.get("arcgis", RUNS, params={**JSON, "start": "3", "num": "4"})
    by_post = api.post("arcgis", RUNS, data={**JSON, "start": "3", "num": "4"})

    assert by_post.status_code == 200
    assert by_post.content == by_get.content


def test_post_body_that_is_not_a_form_is_a_400(api: Api) -> None:
    api.fake.arcgis.add_run(task_id=TASK)

    answer = (
        api.post(
            "arcgis",
            RUNS,
            params={"f": "json"},
            content=b"\xff\xfe",
            headers={"X-Esri-Authorization": "Bearer t0k3n"},
        )
        if api.transport.startswith("httpx")
        else api.post(
            "arcgis",
            RUNS,
            params={"f": "json"},
            data=b"\xff\xfe",
            headers={"X-Esri-Authorization": "Bearer t0k3n"},
        )
    )

    assert answer.status_code == 200
    assert answer.json()["error"]["code"] == 400
    assert "form-encoded" in answer.json()["error"]["details"][0]


# -- auth ----------------------------------------------------------------------------------


def test_no_token_is_code_499_in_http_200(api: Api) -> None:
    api.fake.arcgis.add_run(task_id=TASK)

    as_json = api.get("arcgis", RUNS, params={"f": "json"})
    as_html = api.get("arcgis", RUNS)
    empty = api.get("arcgis", RUNS, params={"f": "json", "token": ""})

    assert as_json.status_code == as_html.status_code == 200
    assert as_json.json() == error(499, "Token Required")
    assert empty.json() == error(499, "Token Required")
    assert as_html.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "Token Required" in as_html.text and "499" in as_html.text


@pytest.mark.parametrize(
    "where", ["query on GET", "form on POST", "header on GET", "header on POST"]
)
def test_token_is_accepted_where_arcgis_reads_it(api: Api, where: str) -> None:
    api.fake.arcgis.add_run(task_id=TASK)
    header = {"X-Esri-Authorization": "Bearer t0k3n"}

    if where == "query on GET":
        answer = api.get("arcgis", RUNS, params=JSON)
    elif where == "form on POST":
        answer = api.post("arcgis", RUNS, data=JSON)
    elif where == "header on GET":
        answer = api.get("arcgis", RUNS, params={"f": "json"}, headers=header)
    else:
        answer = api.post("arcgis", RUNS, data={"f": "json"}, headers=header)

    assert answer.json()["total"] == 1


def test_a_post_with_the_token_only_in_the_query_is_refused(api: Api) -> None:
    api.fake.arcgis.add_run(task_id=TASK)

    answer = api.post("arcgis", RUNS, params=TOKEN, data={"f": "json"})

    assert answer.json() == error(499, "Token Required")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "t0k3n"])
def test_malformed_esri_header_is_an_invalid_token(api: Api, header: str) -> None:
    api.fake.arcgis.add_run(task_id=TASK)

    answer = api.get("arcgis", RUNS, params={"f": "json"}, headers={"X-Esri-Authorization": header})

    assert answer.status_code == 200
    assert answer.json() == error(498, "Invalid token.")


def test_require_auth_false_allows_no_token(api: Api) -> None:
    api.fake.arcgis.add_run(task_id=TASK)
    api.fake.arcgis.require_auth = False

    answer = api.get("arcgis", RUNS, params={"f": "json"})

    assert answer.json()["total"] == 1


# -- faults and envelopes ------------------------------------------------------------------

INJECTED = {
    400: (200, 400, "Invalid or missing input parameters."),
    401: (200, 498, "Invalid token."),
    403: (
        200,
        403,
        "You do not have permissions to access this resource or perform this operation.",
    ),
    404: (200, 404, f"Task '{TASK}' not found."),
    409: (200, 409, "The operation conflicts with the current state of the resource."),
    429: (429, 429, "Too many requests."),
    500: (200, 500, "Unable to complete operation."),
    502: (502, 502, "Bad gateway."),
    503: (503, 503, "Service unavailable."),
    504: (504, 504, "Gateway timeout."),
}


@pytest.mark.parametrize("status", sorted(INJECTED))
def test_injected_statuses_follow_the_contract_table(api: Api, status: int) -> None:
    api.fake.arcgis.add_run(task_id=TASK)
    api.fake.inject(status=status, vendor="arcgis", retry_after=3)

    answer = api.get("arcgis", RUNS, params=JSON)

    http, code, message = INJECTED[status]
    assert answer.status_code == http
    assert answer.json() == error(code, message)
    assert answer.headers.get("Retry-After") == ("3" if status in (429, 503) else None)


def test_injected_error_with_pjson_is_indented(api: Api) -> None:
    api.fake.arcgis.add_run(task_id=TASK)
    api.fake.inject(status=403, vendor="arcgis")

    answer = api.get("arcgis", RUNS, params={"f": "pjson", **TOKEN})

    assert answer.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert answer.content == json.dumps(error(403, INJECTED[403][2]), indent=2).encode()


def test_after_a_test_set_sunset_the_route_is_410(api: Api) -> None:
    api.fake.arcgis.add_run(task_id=TASK)
    api.fake.arcgis.deprecate("2026-01-01", sunset_at="2026-02-01")
    api.fake.clock.set(dt.datetime(2026, 1, 15, tzinfo=UTC))
    live = api.get("arcgis", RUNS, params=JSON)
    api.fake.clock.set(dt.datetime(2026, 2, 1, tzinfo=UTC))

    gone = api.get("arcgis", RUNS, params={"f": "json"})

    assert live.status_code == 200 and live.headers["Deprecation"] == "@1767225600"
    assert gone.status_code == 410
    assert gone.json() == error(410, "This resource is no longer available.")


def test_not_deprecated_by_default(api: Api) -> None:
    api.fake.arcgis.add_run(task_id=TASK)

    answer = api.get("arcgis", RUNS, params=JSON)

    assert "Deprecation" not in answer.headers and "Sunset" not in answer.headers


def test_unmatched_arcgis_path_gets_the_404_envelope(fake_runs: FakeRuns) -> None:
    fake_runs.strict = False
    answer = requests.get(
        fake_runs.arcgis.base_url + "/system/tasks/x/runs/y/delete", params={"f": "json"}
    )

    assert answer.status_code == 200
    assert answer.json() == error(
        404, "Could not find resource or operation 'delete' on the system."
    )
    assert len(fake_runs.unmatched) == 1


# -- paging --------------------------------------------------------------------------------


def walk(api: Api, num: int, between: Any = None) -> list[str]:
    seen: list[str] = []
    start = 0
    page = 0
    while True:
        body = api.get("arcgis", RUNS, params={**JSON, "start": str(start), "num": str(num)}).json()
        seen.extend(item["runId"] for item in body["result"])
        assert body["num"] == len(body["result"])
        if body["nextStart"] == 0:
            return seen
        assert body["nextStart"] == start + body["num"]
        start = body["nextStart"]
        if between is not None:
            between(page)
        page += 1


def test_walking_every_page_sees_each_run_once_newest_first(api: Api) -> None:
    runs = api.fake.arcgis.add_runs(1000, task_id=TASK)

    seen = walk(api, 100)

    expected = sorted(runs, key=lambda r: (r.created_at, r.id), reverse=True)
    assert seen == [r.id for r in expected]


def test_runs_added_between_pages_repeat_one_run_per_insertion(api: Api) -> None:
    a = api.fake.arcgis
    runs = a.add_runs(1000, task_id=TASK)
    added: list[str] = []

    def add(page: int) -> None:
        if page < 3:
            added.append(str(a.add_run(task_id=TASK).id))

    seen = walk(api, 100, between=add)

    assert len(seen) == 1000 + len(added)
    repeats = len(seen) - len(set(seen))
    assert repeats == len(added) == 3
    assert set(seen) == {r.id for r in runs}  # none lost, the new ones not reached
    assert len(walk(api, 100)) == 1003


def test_ties_in_creation_time_are_ordered_by_run_id(api: Api) -> None:
    at = dt.datetime(2026, 3, 2, 10, 0, 3, tzinfo=UTC)
    ids = ["b" * 32, "a" * 32, "c" * 32]
    for run_id in ids:
        api.fake.arcgis.add_run(task_id=TASK, runId=run_id, created_at=at, state="succeeded")

    body = api.get("arcgis", RUNS, params=JSON).json()

    assert [item["runId"] for item in body["result"]] == sorted(ids, reverse=True)


# -- task object, dates, vocabulary and data -----------------------------------------------


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.datetime(2021, 4, 22, 3, 0, 31, tzinfo=UTC), "Apr 22, 2021, 3:00:31 AM"),
        (dt.datetime(2021, 4, 21, 22, 42, 17, tzinfo=UTC), "Apr 21, 2021, 10:42:17 PM"),
        (dt.datetime(2026, 1, 5, 0, 5, 9, tzinfo=UTC), "Jan 5, 2026, 12:05:09 AM"),
        (dt.datetime(2026, 12, 31, 12, 0, 0, tzinfo=UTC), "Dec 31, 2026, 12:00:00 PM"),
        (
            dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "Jul 1, 2026, 7:30:00 AM",
        ),
    ],
)
def test_dates_are_us_style_in_utc(fake_runs: FakeRuns, moment: dt.datetime, text: str) -> None:
    run = fake_runs.arcgis.add_run(created_at=moment, state="succeeded")

    assert run.to_json()["created"] == text


@pytest.mark.fake_runs(progression="manual")
def test_task_last_start_and_updated_follow_the_runs(api: Api) -> None:
    api.fake.clock.set(dt.datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
    contract_task(api.fake)
    newest = api.fake.arcgis.add_run(task_id=TASK, created_at="2026-03-02T10:59:59Z")
    newest.advance()

    task = api.get("arcgis", RUNS, params=JSON).json()["result"][0]["task"]

    assert task["lastStart"] == "Mar 2, 2026, 10:59:00 AM"
    assert task["updated"] == "Mar 2, 2026, 11:00:00 AM"


def test_task_updated_counts_transitions_due_by_the_clock(api: Api) -> None:
    api.fake.clock.set(dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    old = api.fake.arcgis.add_run(
        task_id=TASK, state="succeeded", created_at="2026-03-02T09:00:00Z"
    )
    api.fake.arcgis.add_run(
        task_id=TASK, state="executing", durations={"waitingToRun": 30, "running": 20}
    )
    api.fake.clock.advance(25)

    body = api.get("arcgis", f"{RUNS}/{old.id}", params=JSON).json()

    assert body["task"]["updated"] == "Mar 2, 2026, 12:00:20 PM"


WORDS = {
    "scheduled": "waitingToRun",
    "executing": "running",
    "succeeded": "completed",
    "failed": "failed",
    "submitfailed": "failed",
    "skipped": "canceled",
}


@pytest.mark.parametrize("word", list(WORDS))
def test_add_run_speaks_arcgis_words(fake_runs: FakeRuns, word: str) -> None:
    run = fake_runs.arcgis.add_run(state=word)
    synonym = fake_runs.arcgis.add_run(status=word)

    for r in (run, synonym):
        assert r.status == word
        assert r.state == WORDS[word]
        assert r.to_json()["status"] == word
    assert (run.started_at is None) == (word in ("scheduled", "submitfailed"))


def test_lifecycle_words_and_result_texts(fake_runs: FakeRuns) -> None:
    a = fake_runs.arcgis
    failed = a.add_run(state="executing").fail(reason="Out of disk space.")
    default_failed = a.add_run(state="failed")
    submit = a.add_run(state="submitfailed")
    skipped = a.add_run().cancel()
    backup = a.add_run(task_id="weekly", taskType="CreateBackup", state="succeeded")

    assert (failed.status, failed.to_json()["result"]) == ("failed", "Out of disk space.")
    assert default_failed.to_json()["result"] == "Task execution failed."
    assert submit.to_json()["result"] == "Task execution failed."
    assert (skipped.status, skipped.to_json()["result"]) == ("skipped", "")
    shown = backup.to_json()
    assert shown["result"] == "Backup has been created."
    assert shown["task"]["taskType"] == "CreateBackup"
    assert shown["task"]["type"] == "CREATE_BACKUP_TASK_TYPE"
    assert shown["task"]["cronExpression"] == "0 0 2 ? * SUN"


def test_add_run_refuses_bad_fields(fake_runs: FakeRuns) -> None:
    a = fake_runs.arcgis
    a.add_run(task_id=TASK)

    with pytest.raises(FakeRunsError, match=r"unknown field\(s\) colour; allowed: .*result"):
        a.add_run(colour="red")
    with pytest.raises(FakeRunsError, match="taskType='Nope'; use one of CleanGPJobs"):
        a.add_run(task_id="fresh", taskType="Nope")
    with pytest.raises(FakeRunsError, match="can only be chosen for a new task"):
        a.add_run(task_id=TASK, taskType="CreateBackup")


def test_add_runs_is_realistic_and_deterministic_per_seed() -> None:
    def history(seed: int) -> list[Any]:
        with freezegun.freeze_time(dt.datetime(2026, 3, 2, 12, tzinfo=UTC)):
            fake = FakeRuns(seed=seed)
            return [r.to_json() for r in fake.arcgis.add_runs(1000)]

    first, again, other = history(8), history(8), history(9)

    assert first == again
    assert first != other
    statuses = [item["status"] for item in first]
    assert {"succeeded", "failed", "submitfailed", "skipped"} <= set(statuses)
    assert statuses.count("succeeded") > 700
    assert all(HEX32.match(item["runId"]) for item in first)
    assert len({item["runId"] for item in first}) == 1000
    tasks = {json.dumps(item["task"]) for item in first}
    assert len(tasks) == 1
    task = first[0]["task"]
    assert (task["taskType"], task["taskTitle"], task["runIntervalSeconds"]) == (
        "CleanGPJobs",
        "gpCleanerTask",
        3600,
    )


@pytest.mark.fake_runs(progression="poll")
def test_poll_mode_moves_a_run_one_step_per_read(api: Api) -> None:
    run = api.fake.arcgis.add_run(task_id=TASK)

    statuses = [
        api.get("arcgis", f"{RUNS}/{run.id}", params=JSON).json()["status"] for _ in range(4)
    ]

    assert statuses == ["scheduled", "executing", "succeeded", "succeeded"]


@pytest.mark.fake_runs(base_urls={"arcgis": "https://gis.corp.example/portal/portaladmin"})
def test_configured_root_with_a_path_prefix(api: Api) -> None:
    api.fake.arcgis.add_run(task_id=TASK)

    answer = api.get("arcgis", "https://gis.corp.example/portal/portaladmin" + RUNS, params=JSON)

    assert answer.json()["total"] == 1
    api.fake.assert_called(vendor="arcgis", path="/system/tasks/{taskID}/runs", times=1)
