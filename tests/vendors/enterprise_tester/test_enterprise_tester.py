"""Enterprise Tester over every transport: contract examples, golden shapes, every endpoint.

The OData tables are in test_enterprise_tester_odata.py (this folder).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from typing import Any

import pytest

from pytest_fakeruns import FakeRuns, FakeRunsError
from pytest_fakeruns.vendors.enterprise_tester.data import duration_text
from tests._clients import Api

ET = "enterprise_tester"
BASIC = {"Authorization": "Basic " + base64.b64encode(b"joeb:secret").decode()}
AID = "2264a622-2869-4ef8-8183-a0040106ca9d"
RUNS = f"/api/scriptassignment/{AID}/runs"
UTC = dt.timezone.utc
JOEB = "e7157154-5f93-4ec4-bde3-0a3e5c66b04a"
MARIAK = "0b3f6a2d-91e4-4c7b-8d05-6e2a1f9c3b74"
SCRIPT = "3503ada7-6f77-46ba-a083-a84747d53b2c"
RUN_KEYS = [
    "Id",
    "ScriptId",
    "ScriptVersion",
    "AssignmentId",
    "CreatedAt",
    "LastUpdatedAt",
    "CreatedById",
    "CreatedBy",
    "RunById",
    "RunBy",
    "LastUpdatedById",
    "LastUpdatedBy",
    "Status",
    "Expands",
    "Self",
]
STEP_KEYS = [
    "RunId",
    "Id",
    "Description",
    "Data",
    "Notes",
    "ExpectedResult",
    "ActualResult",
    "Outcome",
    "HasIncidents",
    "HasAttachments",
    "Self",
]
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
CONTENT_TYPE = "application/json; charset=utf-8"


def ordered(text: str | bytes) -> Any:
    """JSON with every object as its list of (key, value) pairs: equality checks key order."""
    return json.loads(text, object_pairs_hook=list)


def raw(api: Api, body: bytes) -> dict[str, bytes]:
    """A raw request body: ``data=`` for requests, ``content=`` for httpx."""
    return {"data": body} if api.transport in ("requests", "server") else {"content": body}


def keys(run: dict[str, Any]) -> list[str]:
    """The run's keys as RUN_KEYS orders them, ActualDuration after Id when present."""
    return [k for k in run if k != "ActualDuration"]


# -- the contract's example --------------------------------------------------------------------

CONTRACT_EXAMPLE = """
{
  "Skip": 0,
  "Top": 2,
  "Total": 3,
  "Items": [
    {
      "Id": "7d0c5b1e-2f4a-4c8e-9b61-3a5e0f2d8c47",
      "ScriptId": "3503ada7-6f77-46ba-a083-a84747d53b2c",
      "ScriptVersion": 2,
      "AssignmentId": "2264a622-2869-4ef8-8183-a0040106ca9d",
      "CreatedAt": "2026-03-02T10:05:06Z",
      "LastUpdatedAt": "2026-03-02T10:06:40Z",
      "CreatedById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a",
      "CreatedBy": "joeb",
      "RunById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a",
      "RunBy": "joeb",
      "LastUpdatedById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a",
      "LastUpdatedBy": "joeb",
      "Status": "In Progress",
      "Expands": ["Assignment", "StepResults"],
      "Self": "http://localhost/api/scriptrun/7d0c5b1e-2f4a-4c8e-9b61-3a5e0f2d8c47"
    },
    {
      "Id": "c2a9e3f0-8b7d-4e16-a5c4-0f1d2e3b4a59",
      "ActualDuration": "5 minutes",
      "ScriptId": "3503ada7-6f77-46ba-a083-a84747d53b2c",
      "ScriptVersion": 2,
      "AssignmentId": "2264a622-2869-4ef8-8183-a0040106ca9d",
      "CreatedAt": "2026-03-01T14:04:05Z",
      "LastUpdatedAt": "2026-03-01T14:09:05Z",
      "CreatedById": "0b3f6a2d-91e4-4c7b-8d05-6e2a1f9c3b74",
      "CreatedBy": "mariak",
      "RunById": "0b3f6a2d-91e4-4c7b-8d05-6e2a1f9c3b74",
      "RunBy": "mariak",
      "LastUpdatedById": "0b3f6a2d-91e4-4c7b-8d05-6e2a1f9c3b74",
      "LastUpdatedBy": "mariak",
      "Status": "Passed",
      "Expands": ["Assignment", "StepResults"],
      "Self": "http://localhost/api/scriptrun/c2a9e3f0-8b7d-4e16-a5c4-0f1d2e3b4a59"
    }
  ]
}
"""


def at_root(api: Api, text: str) -> str:
    """Example text with the seed's root replaced by the root in use (the server's)."""
    return text.replace("http://localhost", api.fake.enterprise_tester.base_url)


@pytest.mark.fake_runs(progression="manual")
def test_contract_example_is_reproduced(api: Api) -> None:
    et = api.fake.enterprise_tester
    common = {"assignment_id": AID, "ScriptId": SCRIPT, "ScriptVersion": 2}
    et.add_run(
        Id="00000000-0000-4000-8000-000000000001",
        state="Failed",
        created_at="2026-02-27T08:00:00Z",
        **common,
    )
    et.add_run(
        Id="c2a9e3f0-8b7d-4e16-a5c4-0f1d2e3b4a59",
        state="Passed",
        created_at="2026-03-01T14:04:05Z",
        durations={"waitingToRun": 0, "running": 300},
        CreatedBy="mariak",
        CreatedById=MARIAK,
        **common,
    )
    et.add_run(
        Id="7d0c5b1e-2f4a-4c8e-9b61-3a5e0f2d8c47",
        state="In Progress",
        created_at="2026-03-02T10:05:06Z",
        durations={"waitingToRun": 94, "running": 9e5},
        CreatedBy="joeb",
        CreatedById=JOEB,
        **common,
    )
    r = api.get(ET, RUNS, params={"$inlinecount": "allpages", "$top": "2"}, headers=BASIC)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == CONTENT_TYPE
    assert ordered(r.content) == ordered(at_root(api, CONTRACT_EXAMPLE))


# -- the seed's examples (its shared Id made unique) -------------------------------------------

SEED_LIST = """{ "Items": [ { "Id": "eb6b327c-df59-4f26-aa8d-a089009f0d1b", "ScriptId": "3503ada7-6f77-46ba-a083-a84747d53b2c", "ScriptVersion": 1, "AssignmentId": "2264a622-2869-4ef8-8183-a0040106ca9d", "CreatedAt": "2012-02-02T15:05:06Z", "LastUpdatedAt": "2012-02-02T15:05:06Z", "CreatedById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a", "CreatedBy": "joeb", "RunById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a", "RunBy": "joeb", "LastUpdatedById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a", "LastUpdatedBy": "joeb", "Status": "In Progress", "Expands": [ "Assignment", "StepResults" ], "Self": "http://localhost/api/scriptrun/eb6b327c-df59-4f26-aa8d-a089009f0d1b" }, { "Id": "eb6b327c-df59-4f26-aa8d-a089009f0d1c", "ActualDuration": "5 minutes", "ScriptId": "3503ada7-6f77-46ba-a083-a84747d53b2c", "ScriptVersion": 1, "AssignmentId": "2264a622-2869-4ef8-8183-a0040106ca9d", "CreatedAt": "2012-01-01T14:04:05Z", "LastUpdatedAt": "2012-01-01T14:09:05Z", "CreatedById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a", "CreatedBy": "joeb", "RunById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a", "RunBy": "joeb", "LastUpdatedById": "e7157154-5f93-4ec4-bde3-0a3e5c66b04a", "LastUpdatedBy": "joeb", "Status": "Failed", "Expands": [ "Assignment", "StepResults" ], "Self": "http://localhost/api/scriptrun/eb6b327c-df59-4f26-aa8d-a089009f0d1c" } ] }"""  # noqa: E501


@pytest.mark.fake_runs(progression="manual")
def test_seed_list_example_is_reproduced(api: Api) -> None:
    et = api.fake.enterprise_tester
    who = {
        "assignment_id": AID,
        "ScriptId": SCRIPT,
        "ScriptVersion": 1,
        "CreatedBy": "joeb",
        "CreatedById": JOEB,
    }
    et.add_run(
        Id="eb6b327c-df59-4f26-aa8d-a089009f0d1c",
        state="Failed",
        created_at="2012-01-01T14:04:05Z",
        durations={"waitingToRun": 0, "running": 300},
        **who,
    )
    et.add_run(
        Id="eb6b327c-df59-4f26-aa8d-a089009f0d1b",
        state="In Progress",
        created_at="2012-02-02T15:05:06Z",
        durations={"waitingToRun": 0, "running": 9e5},
        **who,
    )
    r = api.get(ET, RUNS, headers=BASIC)
    assert ordered(r.content) == ordered(at_root(api, SEED_LIST))
    # the seed's second request: runs of a year
    r = api.get(ET, RUNS, params={"$filter": "year(CreatedAt) eq 2012"}, headers=BASIC)
    assert len(r.json()["Items"]) == 2
    r = api.get(ET, RUNS, params={"$filter": "year(CreatedAt) eq 2011"}, headers=BASIC)
    assert r.json() == {"Items": []}


@pytest.mark.fake_runs(progression="manual")
def test_seed_post_example_with_tester_and_step_results(api: Api) -> None:
    et = api.fake.enterprise_tester
    et.add_run(
        assignment_id=AID,
        ScriptId=SCRIPT,
        ScriptVersion=2,
        state="Passed",
        CreatedBy="joeb",
        CreatedById=JOEB,
    )
    body = {"TesterId": JOEB, "WidgetValues": None, "FieldValues": None}
    r = api.post(
        ET,
        RUNS,
        params={"$expand": "StepResults"},
        json=body,
        headers={"Authorization": "Basic " + base64.b64encode(b"mariak:pw").decode()},
    )
    assert r.status_code == 201
    run = r.json()
    root = et.base_url
    assert r.headers["Location"] == f"{root}/api/scriptrun/{run['Id']}"
    assert list(run) == [*RUN_KEYS[:-1], "StepResults", "Self"]
    assert (run["ScriptId"], run["ScriptVersion"], run["AssignmentId"]) == (SCRIPT, 2, AID)
    assert (run["RunById"], run["RunBy"]) == (JOEB, "joeb")  # the tester, a known user
    assert run["CreatedBy"] == run["LastUpdatedBy"] == "mariak"
    et.get(run["Id"]).advance_to("Passed")
    mine = api.post(ET, RUNS, headers=BASIC).json()  # joeb again: the same person
    assert mine["CreatedById"] == mine["RunById"] == JOEB
    assert run["Status"] == "In Progress"
    assert run["CreatedAt"] == run["LastUpdatedAt"]
    assert run["Expands"] == ["Assignment", "StepResults"]
    assert 2 <= len(run["StepResults"]) <= 5
    for step in run["StepResults"]:
        assert list(step) == STEP_KEYS
        assert step["RunId"] == run["Id"]  # not the seed's all-zero RunId
        assert GUID.match(step["Id"])
        assert step["Self"] == f"{root}/api/stepresult/{step['Id']}"
        assert (step["Data"], step["Notes"], step["ActualResult"]) == (None, None, None)
        assert step["Outcome"] == "NotRun"
        assert step["HasIncidents"] is step["HasAttachments"] is False
        assert step["Description"] and step["ExpectedResult"]


def test_generated_runs_have_the_seed_shape(api: Api) -> None:
    runs = api.fake.enterprise_tester.add_runs(60, assignment_id=AID)
    body = api.get(ET, RUNS, params={"$top": "100"}, headers=BASIC).json()
    assert list(body) == ["Items"] and len(body["Items"]) == 60
    assert body["Items"] == [
        r.to_json() for r in sorted(runs, key=lambda r: r.created_at, reverse=True)
    ]
    terminal = ("Passed", "Failed", "Blocked", "Undetermined")
    for run in body["Items"]:
        assert keys(run) == RUN_KEYS
        if run["Status"] in terminal:
            assert list(run)[1] == "ActualDuration"
            assert re.fullmatch(
                r"\d+ (seconds?|minutes?|hours? \d+ minutes?)", run["ActualDuration"]
            )
        else:
            assert run["Status"] in ("Not Run", "In Progress") and "ActualDuration" not in run
        assert GUID.match(run["Id"]) and GUID.match(run["ScriptId"])
        assert run["AssignmentId"] == AID
        assert SECONDS.match(run["CreatedAt"]) and run["LastUpdatedAt"] >= run["CreatedAt"]
        for role in ("CreatedBy", "RunBy", "LastUpdatedBy"):
            assert re.fullmatch(r"[a-z]+", run[role]) and GUID.match(run[role + "Id"])
        assert run["Self"] == f"{api.fake.enterprise_tester.base_url}/api/scriptrun/{run['Id']}"
    statuses = {run["Status"] for run in body["Items"]}
    assert {"Passed", "Failed"} <= statuses and "Undetermined" not in statuses


# -- auth (contract section 2) ----------------------------------------------------------------

DENIED = {"Message": "Authorization has been denied for this request."}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer t0k3n",
        "Basic %%%",
        "Basic " + base64.b64encode(b"nocolon").decode(),
        "Basic " + base64.b64encode(b":pw").decode(),
        'OAuth oauth_consumer_key="k"',
        'OAuth oauth_token=""',
        "",
    ],
)
def test_missing_or_malformed_credentials_are_401(api: Api, header: str | None) -> None:
    api.fake.enterprise_tester.add_run(assignment_id=AID)
    headers = {} if header is None else {"Authorization": header}
    for method in ("GET", "POST"):
        r = api.request(method, ET, RUNS, headers=headers)
        assert (r.status_code, r.json()) == (401, DENIED)
        assert r.headers["WWW-Authenticate"] == 'Basic realm="Enterprise Tester"'
    run_id = api.fake.enterprise_tester.runs()[0].id
    assert api.get(ET, f"/api/scriptrun/{run_id}", headers=headers).status_code == 401


def test_oauth_and_no_required_auth_act_as_administrator(api: Api) -> None:
    et = api.fake.enterprise_tester
    et.add_parent(AID)
    oauth = {
        "Authorization": 'OAuth oauth_consumer_key="k", oauth_token="t0k3n", oauth_signature="s"'
    }
    assert api.get(ET, RUNS, headers=oauth).status_code == 200
    run = api.post(ET, RUNS, headers=oauth).json()
    assert run["CreatedBy"] == run["RunBy"] == "Administrator"
    et.get(run["Id"]).advance_to("Passed")
    et.require_auth = False
    run = api.post(ET, RUNS).json()
    assert run["CreatedBy"] == "Administrator"
    assert api.get(ET, RUNS, headers={"Authorization": "Bearer x"}).status_code == 401


# -- GET /api/scriptassignment/{id}/runs -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/scriptassignment/not-a-guid/runs",
        "/api/scriptassignment/2264a622/runs",
        "/api/scriptrun/123",
    ],
)
def test_a_path_id_that_is_no_guid_matches_no_route(api: Api, path: str) -> None:
    for method in ("GET", "POST") if path.endswith("/runs") else ("GET",):
        r = api.request(method, ET, path)  # no credentials: routing comes first
        url = api.fake.enterprise_tester.base_url + path
        assert r.status_code == 404
        assert r.json() == {
            "Message": f"No HTTP resource was found that matches the request URI '{url}'."
        }


@pytest.mark.parametrize(
    "form", [AID.upper(), AID.replace("-", ""), "{" + AID + "}", "(" + AID + ")"]
)
def test_guids_match_in_any_case_and_dotnet_form(api: Api, form: str) -> None:
    api.fake.enterprise_tester.add_runs(2, assignment_id=AID)
    r = api.get(ET, f"/api/scriptassignment/{form}/runs", headers=BASIC)
    assert r.status_code == 200
    assert [run["AssignmentId"] for run in r.json()["Items"]] == [AID, AID]


def test_unknown_assignment_is_404(api: Api) -> None:
    other = "6f1e0c5d-0000-4000-8000-00000000abcd"
    for method in ("GET", "POST"):
        r = api.request(method, ET, f"/api/scriptassignment/{other.upper()}/runs", headers=BASIC)
        assert (r.status_code, r.json()) == (
            404,
            {"Message": f"Script assignment {other} was not found."},
        )


def test_default_page_is_25_newest_first(api: Api) -> None:
    runs = api.fake.enterprise_tester.add_runs(30, assignment_id=AID)
    items = api.get(ET, RUNS, headers=BASIC).json()["Items"]
    newest = sorted(runs, key=lambda r: r.created_at, reverse=True)
    assert [i["Id"] for i in items] == [r.id for r in newest[:25]]


@pytest.mark.parametrize(
    ("params", "skip", "top", "count"),
    [
        ({"$top": "5"}, 0, 5, 5),
        ({"$take": "4"}, 0, 4, 4),
        ({"$top": "3", "$take": "9"}, 0, 3, 3),
        ({"$skip": "10", "$top": "100"}, 10, 100, 2),
        ({"$skip": "12"}, 12, 25, 0),
        ({"$skip": "500"}, 500, 25, 0),
        ({"$top": "0"}, 0, 0, 0),
        ({"$top": "1000000"}, 0, 1000000, 12),
        ({"$skip": "2", "$take": "3"}, 2, 3, 3),
    ],
)
def test_top_take_skip_and_inlinecount(
    api: Api, params: dict[str, str], skip: int, top: int, count: int
) -> None:
    api.fake.enterprise_tester.add_runs(12, assignment_id=AID)
    everything = [i["Id"] for i in api.get(ET, RUNS, headers=BASIC).json()["Items"]]
    body = api.get(ET, RUNS, params=params, headers=BASIC).json()
    assert body == {"Items": body["Items"]}
    assert [i["Id"] for i in body["Items"]] == everything[skip : skip + top]
    assert len(body["Items"]) == count
    counted = api.get(ET, RUNS, params={**params, "$inlinecount": "allpages"}, headers=BASIC).json()
    assert list(counted) == ["Skip", "Top", "Total", "Items"]
    assert (counted["Skip"], counted["Top"], counted["Total"]) == (skip, top, 12)
    none = api.get(ET, RUNS, params={**params, "$inlinecount": "none"}, headers=BASIC).json()
    assert list(none) == ["Items"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"$top": "-1"}, "The value '-1' of $top is not a non-negative integer."),
        ({"$top": "ten"}, "The value 'ten' of $top is not a non-negative integer."),
        ({"$top": "2.5"}, "The value '2.5' of $top is not a non-negative integer."),
        ({"$top": ""}, "The value '' of $top is not a non-negative integer."),
        ({"$take": "-3"}, "The value '-3' of $take is not a non-negative integer."),
        ({"$take": "x", "$top": "2"}, "The value 'x' of $take is not a non-negative integer."),
        ({"$skip": "+1"}, "The value '+1' of $skip is not a non-negative integer."),
        ({"$skip": "1e2"}, "The value '1e2' of $skip is not a non-negative integer."),
        (
            {"$inlinecount": "AllPages"},
            "The value 'AllPages' of $inlinecount is not valid; use allpages or none.",
        ),
        ({"$inlinecount": ""}, "The value '' of $inlinecount is not valid; use allpages or none."),
    ],
)
def test_bad_query_options_are_400(api: Api, params: dict[str, str], detail: str) -> None:
    api.fake.enterprise_tester.add_run(assignment_id=AID)
    r = api.get(ET, RUNS, params=params, headers=BASIC)
    assert r.status_code == 400
    assert r.json() == {
        "Message": "The query specified in the URI is not valid.",
        "MessageDetail": detail,
    }
    # 400 before 404 (contract README processing order)
    r = api.get(
        ET,
        "/api/scriptassignment/6f1e0c5d-0000-4000-8000-00000000abcd/runs",
        params=params,
        headers=BASIC,
    )
    assert r.status_code == 400


def test_unknown_query_parameters_are_ignored(api: Api) -> None:
    api.fake.enterprise_tester.add_runs(3, assignment_id=AID)
    r = api.get(ET, RUNS, params={"$format": "xml", "foo": "bar"}, headers=BASIC)
    assert r.status_code == 200 and len(r.json()["Items"]) == 3


# -- paging (contract section 6) ---------------------------------------------------------------


def test_paging_to_the_end_sees_each_run_once(api: Api) -> None:
    runs = api.fake.enterprise_tester.add_runs(23, assignment_id=AID)
    seen: list[str] = []
    skip = 0
    while items := api.get(
        ET, RUNS, params={"$skip": str(skip), "$top": "5"}, headers=BASIC
    ).json()["Items"]:
        seen += [i["Id"] for i in items]
        skip += 5
    assert sorted(seen) == sorted(r.id for r in runs) and len(seen) == 23
    assert skip == 25


@pytest.mark.fake_runs(progression="manual")
def test_a_run_created_between_pages_repeats_one_run(api: Api) -> None:
    et = api.fake.enterprise_tester
    runs = et.add_runs(11, assignment_id=AID, state="Passed")
    first = api.get(ET, RUNS, params={"$top": "5"}, headers=BASIC).json()["Items"]
    created = api.post(ET, RUNS, headers=BASIC)
    assert created.status_code == 201
    second = api.get(ET, RUNS, params={"$top": "5", "$skip": "5"}, headers=BASIC).json()["Items"]
    assert second[0]["Id"] == first[-1]["Id"]
    third = api.get(ET, RUNS, params={"$top": "5", "$skip": "10"}, headers=BASIC).json()["Items"]
    ids = [i["Id"] for i in first + second + third]
    assert len(ids) == 12 and set(ids) == {r.id for r in runs}


# -- expansions -------------------------------------------------------------------------------


@pytest.mark.fake_runs(progression="manual")
def test_expansions_in_their_places(api: Api) -> None:
    et = api.fake.enterprise_tester
    run = et.add_run(assignment_id=AID, state="Failed", ScriptId=SCRIPT)
    root = et.base_url
    path = f"/api/scriptrun/{run.id}"
    for expand, extra in [
        ("StepResults", ["StepResults"]),
        ("Assignment", ["Assignment"]),
        ("Widgets,FieldValues", ["Widgets", "FieldValues"]),
        (
            "fieldvalues, widgets ,ASSIGNMENT,stepresults,Nope",
            ["StepResults", "Assignment", "Widgets", "FieldValues"],
        ),
        ("", []),
        ("Runs,Script", []),
    ]:
        for answer in (
            api.get(ET, path, params={"$expand": expand}, headers=BASIC).json(),
            api.get(ET, RUNS, params={"$expand": expand}, headers=BASIC).json()["Items"][0],
        ):
            assert list(answer) == ["Id", "ActualDuration", *RUN_KEYS[1:-1], *extra, "Self"]
            if "Widgets" in extra:
                assert answer["Widgets"] == [] and answer["FieldValues"] == {}
            if "Assignment" in extra:
                a = answer["Assignment"]
                assert list(a) == [
                    "Id",
                    "ScriptId",
                    "Name",
                    "Status",
                    "AssignedTo",
                    "AssignedToId",
                    "PackageId",
                    "Self",
                ]
                assert (a["Id"], a["ScriptId"], a["Status"]) == (AID, SCRIPT, "Failed")
                assert a["Self"] == f"{root}/api/scriptassignment/{AID}"
                assert GUID.match(a["AssignedToId"]) and GUID.match(a["PackageId"])
    assert run.to_json() == api.get(ET, path, headers=BASIC).json()


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize(
    ("state", "outcomes"),
    [
        ("Not Run", r"(NotRun,)+"),
        ("In Progress", r"(Passed,)*(NotRun,)+"),
        ("Passed", r"(Passed,)+"),
        ("Undetermined", r"(Passed,)*(NotRun,)+"),
        ("Failed", r"(Passed,)*Failed,(NotRun,)*"),
        ("Blocked", r"(Passed,)*Blocked,(NotRun,)*"),
    ],
)
def test_step_outcomes_follow_the_run(api: Api, state: str, outcomes: str) -> None:
    et = api.fake.enterprise_tester
    runs = [
        et.add_run(assignment_id=AID, state=state, reason="Login button missing") for _ in range(6)
    ]
    for run in runs:
        steps = api.get(
            ET, f"/api/scriptrun/{run.id}", params={"$expand": "StepResults"}, headers=BASIC
        ).json()["StepResults"]
        assert re.fullmatch(outcomes, "".join(s["Outcome"] + "," for s in steps))
        assert [s["ActualResult"] for s in steps if s["Outcome"] == "Failed"] == (
            ["Login button missing"] if state == "Failed" else []
        )
        assert all(s["ActualResult"] is None for s in steps if s["Outcome"] != "Failed")
        again = api.get(
            ET, f"/api/scriptrun/{run.id}", params={"$expand": "StepResults"}, headers=BASIC
        ).json()["StepResults"]
        assert again == steps  # derived, but stable


@pytest.mark.fake_runs(progression="manual")
def test_a_run_blocked_before_it_started(api: Api) -> None:
    et = api.fake.enterprise_tester
    run = et.add_run(assignment_id=AID, state="Not Run", durations={"waitingToRun": 90})
    et.clock.advance(125)
    run.cancel()
    shown = api.get(
        ET, f"/api/scriptrun/{run.id}", params={"$expand": "StepResults"}, headers=BASIC
    ).json()
    assert shown["Status"] == "Blocked"
    assert shown["ActualDuration"] == "2 minutes"  # from its creation
    assert shown["StepResults"][0]["Outcome"] == "Blocked"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59.9, "59 seconds"),
        (60, "1 minute"),
        (299, "4 minutes"),
        (300, "5 minutes"),
        (3599, "59 minutes"),
        (3600, "1 hour 0 minutes"),
        (3660, "1 hour 1 minute"),
        (7320, "2 hours 2 minutes"),
        (90061, "25 hours 1 minute"),
    ],
)
def test_actual_duration_text(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


# -- POST /api/scriptassignment/{id}/runs: create or resume ------------------------------------


@pytest.mark.fake_runs(progression="manual")
def test_post_creates_then_returns_the_incomplete_run(api: Api) -> None:
    et = api.fake.enterprise_tester
    et.add_run(assignment_id=AID, state="Passed")
    created = api.post(ET, RUNS, headers=BASIC)
    assert created.status_code == 201
    run = created.json()
    assert keys(run) == RUN_KEYS and "ActualDuration" not in run
    assert run["Status"] == "In Progress"
    assert run["CreatedBy"] == run["RunBy"] == run["LastUpdatedBy"] == "joeb"
    location = f"{et.base_url}/api/scriptrun/{run['Id']}"
    assert created.headers["Location"] == location
    body = {"TesterId": MARIAK, "WidgetValues": {"w": "1"}, "FieldValues": {"f": 2}}
    again = api.post(ET, RUNS, json=body, headers=BASIC)  # the body is ignored
    assert (again.status_code, again.headers["Location"]) == (200, location)
    assert again.json() == run
    assert api.get(ET, location, headers=BASIC).json() == run  # Location resolves
    et.get(run["Id"]).advance_to("Failed")
    third = api.post(ET, RUNS, headers=BASIC)
    assert third.status_code == 201 and third.json()["Id"] != run["Id"]
    assert len(et.runs(assignment_id=AID)) == 3


@pytest.mark.fake_runs(progression="manual")
def test_post_returns_a_not_run_run_and_the_newest_incomplete_one(api: Api) -> None:
    et = api.fake.enterprise_tester
    et.add_run(assignment_id=AID, state="Not Run", created_at="2026-01-01T00:00:00Z")
    newer = et.add_run(assignment_id=AID, state="Not Run", created_at="2026-01-02T00:00:00Z")
    r = api.post(ET, RUNS, headers=BASIC)
    assert (r.status_code, r.json()["Id"], r.json()["Status"]) == (200, newer.id, "Not Run")


def test_post_created_runs_start_in_progress_and_pass_in_time(api: Api) -> None:
    et = api.fake.enterprise_tester
    et.add_parent(AID)
    run_id = api.post(ET, RUNS, headers=BASIC).json()["Id"]
    run = et.get(run_id)
    assert run.state == "running" and run.created_at == run.started_at
    api.fake.clock.advance(run.durations["running"] + 1)
    assert api.get(ET, f"/api/scriptrun/{run_id}", headers=BASIC).json()["Status"] == "Passed"


@pytest.mark.fake_runs(progression="manual")
def test_post_tester_id_names_the_runner(api: Api) -> None:
    et = api.fake.enterprise_tester
    et.add_parent(AID)
    unknown = "6f1e0c5d-0000-4000-8000-00000000abcd"
    run = api.post(ET, RUNS, json={"TesterId": unknown.upper()}, headers=BASIC).json()
    assert run["RunById"] == unknown and re.fullmatch(r"[a-z]+", run["RunBy"])
    assert run["CreatedBy"] == run["LastUpdatedBy"] == "joeb"
    assert run["CreatedById"] != unknown
    et.get(run["Id"]).advance_to("Passed")
    again = api.post(
        ET, RUNS, json={"TesterId": unknown, "WidgetValues": None, "FieldValues": {}}, headers=BASIC
    ).json()
    assert again["RunBy"] == run["RunBy"]  # the same made-up person for the same id
    et.get(again["Id"]).advance_to("Passed")
    me = api.post(ET, RUNS, json={"TesterId": run["CreatedById"]}, headers=BASIC).json()
    assert (me["RunBy"], me["RunById"]) == ("joeb", run["CreatedById"])


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b"null",
        b'"x"',
        b'{"TesterId": "joeb"}',
        b'{"TesterId": 5}',
        b'{"WidgetValues": "x"}',
        b'{"FieldValues": []}',
        b'{"WidgetValues": 1}',
        b"\xff",
    ],
)
def test_post_bad_bodies_are_400(api: Api, body: bytes) -> None:
    api.fake.enterprise_tester.add_parent(AID)
    headers = {**BASIC, "Content-Type": "application/json"}
    r = api.post(ET, RUNS, headers=headers, **raw(api, body))
    assert (r.status_code, r.json()) == (400, {"Message": "The request is invalid."})
    other = "/api/scriptassignment/6f1e0c5d-0000-4000-8000-00000000abcd/runs"
    assert api.post(ET, other, headers=headers, **raw(api, body)).status_code == 400
    assert api.fake.enterprise_tester.runs() == []


# -- GET /api/scriptrun/{id} --------------------------------------------------------------------


def test_self_links_resolve(api: Api) -> None:
    api.fake.enterprise_tester.add_runs(8, assignment_id=AID)
    for item in api.get(ET, RUNS, headers=BASIC).json()["Items"]:
        r = api.get(ET, item["Self"], headers=BASIC)
        assert r.status_code == 200
        assert ordered(r.content) == ordered(json.dumps(item))
        upper = api.get(ET, f"/api/scriptrun/{item['Id'].upper()}", headers=BASIC)
        assert upper.json()["Id"] == item["Id"]


def test_unknown_run_is_404(api: Api) -> None:
    ident = "6f1e0c5d-0000-4000-8000-00000000abcd"
    r = api.get(ET, f"/api/scriptrun/{ident.upper()}", headers=BASIC)
    assert (r.status_code, r.json()) == (404, {"Message": f"Script run {ident} was not found."})


@pytest.mark.fake_runs(base_urls={ET: "https://et.acme.example/EnterpriseTester"})
def test_links_use_the_configured_root(api: Api) -> None:
    api.fake.enterprise_tester.add_parent(AID)
    r = api.post(ET, RUNS, params={"$expand": "StepResults,Assignment"}, headers=BASIC)
    root = "https://et.acme.example/EnterpriseTester"
    run = r.json()
    assert r.headers["Location"] == run["Self"] == f"{root}/api/scriptrun/{run['Id']}"
    assert all(s["Self"].startswith(f"{root}/api/stepresult/") for s in run["StepResults"])
    assert run["Assignment"]["Self"] == f"{root}/api/scriptassignment/{AID}"
    assert api.fake.enterprise_tester.get(run["Id"]).to_json()["Self"] == run["Self"]


# -- faults, deprecation, unmatched routes ----------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "The request is invalid."),
        (401, "Authorization has been denied for this request."),
        (403, "You do not have the permissions required for this operation."),
        (404, f"Script assignment {AID} was not found."),
        (409, "The run was changed by another request."),
        (429, "Too many requests."),
        (500, "An error has occurred."),
        (502, "Bad gateway."),
        (503, "Service unavailable."),
        (504, "Gateway timeout."),
    ],
)
def test_injected_faults_answer_in_the_envelope(api: Api, status: int, message: str) -> None:
    api.fake.enterprise_tester.add_run(assignment_id=AID)
    api.fake.inject(status=status, vendor=ET, times=1, retry_after=4)
    r = api.get(ET, RUNS, headers=BASIC)
    assert (r.status_code, r.json()) == (status, {"Message": message})
    assert r.headers["Content-Type"] == CONTENT_TYPE
    assert r.headers.get("Retry-After") == ("4" if status in (429, 503) else None)
    assert ("WWW-Authenticate" in r.headers) == (status == 401)
    assert api.get(ET, RUNS, headers=BASIC).status_code == 200


def test_after_a_sunset_the_route_is_gone(api: Api) -> None:
    api.fake.enterprise_tester.add_run(assignment_id=AID)
    api.fake.enterprise_tester.deprecate(
        "2020-01-01", sunset_at="2021-01-01", path="/api/scriptrun/{id}"
    )
    run_id = api.fake.enterprise_tester.runs()[0].id
    r = api.get(ET, f"/api/scriptrun/{run_id}", headers=BASIC)
    assert (r.status_code, r.json()) == (410, {"Message": "This resource is no longer available."})
    assert api.get(ET, RUNS, headers=BASIC).status_code == 200


@pytest.mark.fake_runs(strict=False)
def test_unmatched_route_gets_the_aspnet_404(api: Api) -> None:
    r = api.request("DELETE", ET, f"/api/scriptrun/{AID}", headers=BASIC)
    url = f"{api.fake.enterprise_tester.base_url}/api/scriptrun/{AID}"
    assert r.status_code == 404
    assert r.json() == {
        "Message": f"No HTTP resource was found that matches the request URI '{url}'."
    }
    assert len(api.fake.unmatched) == 1


# -- Python side: add_run / add_runs -------------------------------------------------------------


def test_assignment_ids_are_guids_normalised_to_lowercase(api: Api) -> None:
    et = api.fake.enterprise_tester
    a = et.add_run(assignment_id=AID.upper())
    b = et.add_run(assignment_id=AID.upper())
    c = et.add_run(AssignmentId="{" + AID + "}")
    assert a.parent == b.parent == c.parent == AID
    assert len(api.get(ET, RUNS, headers=BASIC).json()["Items"]) == 3
    with pytest.raises(FakeRunsError, match="assignment_id must be a GUID"):
        et.add_run(assignment_id="SA-12")


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"Tester": "joeb"}, r"unknown field\(s\) Tester; allowed: .*RunById"),
        ({"RunById": "joeb"}, "RunById must be a GUID"),
        ({"CreatedBy": ""}, "CreatedBy must be a non-empty string"),
        ({"ScriptVersion": 0}, "ScriptVersion must be an int >= 1"),
        ({"ScriptId": 7}, "ScriptId must be a GUID"),
        ({"state": "Skipped"}, "unknown state 'Skipped'"),
    ],
)
def test_add_run_misuse_names_what_is_allowed(api: Api, fields: dict[str, Any], match: str) -> None:
    with pytest.raises(FakeRunsError, match=match):
        api.fake.enterprise_tester.add_run(assignment_id=AID, **fields)


def test_people_fill_in_from_each_other(api: Api) -> None:
    et = api.fake.enterprise_tester
    run = et.add_run(RunBy="kim", LastUpdatedById=MARIAK)
    shown = run.to_json()
    assert shown["CreatedBy"] == shown["RunBy"] == "kim"  # CreatedBy: the first role given
    assert shown["CreatedById"] == shown["RunById"] and GUID.match(shown["RunById"])
    assert shown["LastUpdatedById"] == MARIAK and re.fullmatch(r"[a-z]+", shown["LastUpdatedBy"])
    assert et.add_run(RunBy="kim").to_json()["RunById"] == shown["RunById"]


def test_vocabulary(api: Api) -> None:
    et = api.fake.enterprise_tester
    words = {
        "Not Run": "waitingToRun",
        "In Progress": "running",
        "Passed": "completed",
        "Failed": "failed",
        "Blocked": "canceled",
        "Undetermined": "completed",
    }
    for word, state in words.items():
        run = et.add_run(state=word)
        assert (run.status, run.state) == (word, state)
        assert run.to_json()["Status"] == word
    assert et.add_run(Status="In Progress").status == "In Progress"


def test_add_runs_is_deterministic_and_stores_no_steps() -> None:
    from pytest_fakeruns import FakeRuns

    def shown(seed: int) -> list[Any]:
        fake = FakeRuns(seed=seed, progression="manual")
        runs = fake.enterprise_tester.add_runs(30)
        assert all(
            set(r.fields)
            == {
                "ScriptId",
                "ScriptVersion",
                "CreatedById",
                "CreatedBy",
                "RunById",
                "RunBy",
                "LastUpdatedById",
                "LastUpdatedBy",
            }
            for r in runs
        )
        return [
            fake.enterprise_tester.definition.serialize(r, expand=frozenset({"StepResults"}))
            for r in runs
        ]

    first = shown(5)
    for item in first:
        item.pop("CreatedAt"), item.pop("LastUpdatedAt"), item.pop("ActualDuration", None)
    again = shown(5)
    for item in again:
        item.pop("CreatedAt"), item.pop("LastUpdatedAt"), item.pop("ActualDuration", None)
    assert first == again
    assert first != shown(6)


def test_chosen_ids_are_guids_written_lowercase(api: Api) -> None:
    et = api.fake.enterprise_tester
    run = et.add_run(assignment_id=AID, Id="{7D0C5B1E-2F4A-4C8E-9B61-3A5E0F2D8C47}")
    assert run.id == "7d0c5b1e-2f4a-4c8e-9b61-3a5e0f2d8c47"
    r = api.get(ET, "/api/scriptrun/7D0C5B1E-2F4A-4C8E-9B61-3A5E0F2D8C47", headers=BASIC)
    assert r.json()["Id"] == run.id
    with pytest.raises(FakeRunsError, match="Id must be a GUID"):
        et.add_run(Id="run-1")
    with pytest.raises(FakeRunsError, match="already has a run"):
        et.add_run(Id=run.id.upper())


def test_python_side_lookups_accept_any_guid_spelling(fake_runs: FakeRuns) -> None:
    run = fake_runs.enterprise_tester.add_run(assignment_id=AID.upper())
    assert run.parent == AID
    assert fake_runs.enterprise_tester.runs(assignment_id=AID.upper()) == [run]
    assert fake_runs.enterprise_tester.get(str(run.id).upper()) is run
