"""Kinetic Task v1 over every transport: contract examples, golden shapes, every endpoint."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from typing import Any

import pytest

from tests._clients import Api

BASIC = {"Authorization": "Basic " + base64.b64encode(b"jdoe:secret").decode()}
LIST = "/app/api/v1/sources/Playground/runs"
UTC = dt.timezone.utc
RUN_KEYS = [
    "createdAt",
    "createdBy",
    "id",
    "sourceData",
    "sourceId",
    "status",
    "tree",
    "updatedAt",
    "updatedBy",
]
RUN_KEYS_WITH_TASKS = [*RUN_KEYS[:6], "tasks", *RUN_KEYS[6:]]
TASK_KEYS = [
    "branchId",
    "createdAt",
    "createdBy",
    "deferredResults",
    "definitionId",
    "duration",
    "id",
    "messages",
    "nodeId",
    "nodeName",
    "results",
    "status",
    "token",
    "updatedAt",
    "updatedBy",
]
MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")


def raw(api: Api, body: bytes) -> dict[str, bytes]:
    """A raw request body: ``data=`` for requests, ``content=`` for httpx."""
    return {"data": body} if api.transport in ("requests", "server") else {"content": body}


def ordered(text: str | bytes) -> Any:
    """JSON with every object as its list of (key, value) pairs: equality checks key order."""
    return json.loads(text, object_pairs_hook=list)


# -- contract and seed examples, byte for byte up to whitespace ------------------------------

CONTRACT_EXAMPLE = """
{
  "count": 2,
  "limit": 1,
  "offset": 0,
  "runs": [
    {
      "createdAt": "2026-03-02T14:08:47.487Z",
      "createdBy": "SYSTEM",
      "id": 1043,
      "sourceData": null,
      "sourceId": "KS0000000000731",
      "status": "Started",
      "tasks": [
        {
          "branchId": 2087,
          "createdAt": "2026-03-02T14:08:50.700Z",
          "createdBy": "SYSTEM",
          "deferredResults": null,
          "definitionId": "utilities_defer_v1",
          "duration": 18,
          "id": 51213,
          "messages": [],
          "nodeId": "utilities_defer_v1_1",
          "nodeName": "Deferred Task",
          "results": "<results>\\n  <result name=\\"deferral_token\\">4f0a9c1e7b3d52a8e6f1c0b9d7a4e3f2c1b0a998</result>\\n</results>",
          "status": "Deferred",
          "token": "4f0a9c1e7b3d52a8e6f1c0b9d7a4e3f2c1b0a998",
          "updatedAt": "2026-03-02T14:08:51.048Z",
          "updatedBy": "SYSTEM"
        }
      ],
      "tree": {"name": "My First Tree", "sourceGroup": "Documentation", "source": {"name": "Playground"}},
      "updatedAt": "2026-03-02T14:08:47.540Z",
      "updatedBy": "SYSTEM"
    }
  ]
}
"""  # noqa: E501


def _task_from(example: str) -> dict[str, Any]:
    task: dict[str, Any] = json.loads(example)["runs"][0]["tasks"][0]
    return dict(reversed(list(task.items())))  # key order given does not matter


@pytest.mark.fake_runs(progression="manual")
def test_contract_example_is_reproduced(api: Api) -> None:
    k = api.fake.kinetic
    common = {"source": "Playground", "tree": "My First Tree", "source_group": "Documentation"}
    k.add_run(id=1042, state="Complete", created_at="2026-03-01T09:00:00Z", **common)
    k.add_run(
        id=1043,
        state="Started",
        sourceId="KS0000000000731",
        created_at=dt.datetime(2026, 3, 2, 14, 8, 47, 487000, UTC),
        durations={"waitingToRun": 0.053, "running": 3600},
        tasks=[_task_from(CONTRACT_EXAMPLE)],
        **common,
    )
    r = api.get(
        "kinetic", LIST, json={"include": "tasks,tasks.messages", "limit": 1}, headers=BASIC
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert ordered(r.content) == ordered(CONTRACT_EXAMPLE)


# the seed's example with its missing comma mended and its `\ ` escapes written as newlines
SEED_EXAMPLE = r"""
{
    "count": 1,
    "limit": 1000,
    "offset": 0,
    "runs": [
        {
            "createdAt": "2014-07-18T14:08:47.487Z",
            "createdBy": "SYSTEM",
            "id": 9,
            "sourceData": null,
            "sourceId": null,
            "status": "Complete",
            "tasks": [
                {
                    "branchId": 17,
                    "createdAt": "2014-07-18T14:08:50.700Z",
                    "createdBy": "SYSTEM",
                    "deferredResults": null,
                    "definitionId": "utilities_defer_v1",
                    "duration": 18,
                    "id": 173,
                    "messages": [],
                    "nodeId": "utilities_defer_v1_1",
                    "nodeName": "Deferred Task",
                    "results": "<results>\n <result name=\"deferral_token\">c9c509a4b2e1ededb478e28dc2e0b3d7ea37f785</result>\n <result name=\"deferred_value\" type=\"String\" />\n </results>",
                    "status": "Deferred",
                    "token": "c9c509a4b2e1ededb478e28dc2e0b3d7ea37f785",
                    "updatedAt": "2014-07-18T14:08:51.048Z",
                    "updatedBy": "SYSTEM"
                }
            ],
            "tree": {
                "name": "My First Tree",
                "sourceGroup": "Documentation",
                "source": {
                    "name": "Playground"
                }
            },
            "updatedAt": "2014-07-18T14:08:47.540Z",
            "updatedBy": "SYSTEM"
        }
    ]
}
"""  # noqa: E501


@pytest.mark.fake_runs(progression="manual")
def test_seed_example_without_authorization_is_reproduced(api: Api) -> None:
    k = api.fake.kinetic
    k.require_auth = False  # "This example does not use any authorization"
    k.add_run(
        id=9,
        source="Playground",
        tree="My First Tree",
        source_group="Documentation",
        state="Complete",
        sourceId=None,
        created_at=dt.datetime(2014, 7, 18, 14, 8, 47, 487000, UTC),
        durations={"waitingToRun": 0.02, "running": 0.033},
        tasks=[_task_from(SEED_EXAMPLE)],
    )
    r = api.get("kinetic", LIST, json={"include": "tasks,tasks.messages"})
    assert r.status_code == 200
    assert ordered(r.content) == ordered(SEED_EXAMPLE)


def test_generated_runs_have_the_seed_shape(api: Api) -> None:
    api.fake.kinetic.add_runs(40, source="Playground")
    body = api.get("kinetic", LIST, json={"include": "tasks,tasks.messages"}, headers=BASIC).json()
    assert list(body) == ["count", "limit", "offset", "runs"]
    assert (body["count"], body["limit"], body["offset"]) == (40, 1000, 0)
    for run in body["runs"]:
        assert list(run) == RUN_KEYS_WITH_TASKS
        assert isinstance(run["id"], int)
        assert MILLIS.match(run["createdAt"]) and MILLIS.match(run["updatedAt"])
        assert run["status"] in ("Staged", "Started", "Complete")
        assert run["createdBy"] == run["updatedBy"] == "SYSTEM"
        assert run["sourceData"] is None
        assert run["sourceId"] is None or re.fullmatch(r"KS\d{13}", run["sourceId"])
        assert list(run["tree"]) == ["name", "sourceGroup", "source"]
        assert run["tree"]["source"] == {"name": "Playground"}
        assert (run["status"] == "Staged") == (run["tasks"] == [])
        for task in run["tasks"]:
            assert list(task) == TASK_KEYS
            assert isinstance(task["id"], int) and isinstance(task["duration"], int)
            assert task["status"] in ("New", "Deferred", "Closed")
            assert MILLIS.match(task["createdAt"]) and task["createdAt"] >= run["createdAt"]
            assert task["updatedAt"] >= task["createdAt"]
            assert task["nodeId"].startswith(task["definitionId"] + "_")
            if task["token"] is not None:
                assert re.fullmatch(r"[0-9a-f]{40}", task["token"])
                assert task["token"] in task["results"]
            if task["status"] == "Deferred":
                assert task["token"] is not None and run["status"] == "Started"
    ids = [run["id"] for run in body["runs"]]
    assert ids == sorted(ids, reverse=True)
    tasks = [t["id"] for run in body["runs"] for t in run["tasks"]]
    assert len(tasks) == len(set(tasks))


def test_to_json_is_the_list_item_without_include(api: Api) -> None:
    runs = api.fake.kinetic.add_runs(5, source="Playground")
    items = api.get("kinetic", LIST, headers=BASIC).json()["runs"]
    assert items == [run.to_json() for run in reversed(runs)]
    assert all(list(item) == RUN_KEYS for item in items)


def test_include_tasks_without_messages_omits_the_messages_key(api: Api) -> None:
    api.fake.kinetic.add_run(source="Playground", state="Complete")
    for include in ("tasks", " tasks , other", "tasks,unknown"):
        run = api.get("kinetic", LIST, params={"include": include}, headers=BASIC).json()["runs"][0]
        assert run["tasks"] and all("messages" not in t for t in run["tasks"])
    run = api.get("kinetic", LIST, params={"include": "tasks.messages"}, headers=BASIC).json()[
        "runs"
    ][0]
    assert all(list(t) == TASK_KEYS for t in run["tasks"])
    run = api.get("kinetic", LIST, params={"include": "messages"}, headers=BASIC).json()["runs"][0]
    assert "tasks" not in run


# -- auth (contract section 2) ----------------------------------------------------------------


def test_no_credentials_break_the_policy_rule(api: Api) -> None:
    api.fake.kinetic.add_run(source="Playground")
    r = api.get("kinetic", LIST)
    assert r.status_code == 403
    assert r.json() == {
        "message": 'Policy rule "Authenticated Users" denied access to source "Playground".'
    }
    assert "WWW-Authenticate" not in r.headers


@pytest.mark.parametrize(
    "header",
    [
        "Bearer t0k3n",
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b":password").decode(),
        "Basic",
        "",
    ],
)
def test_malformed_basic_header_is_401(api: Api, header: str) -> None:
    api.fake.kinetic.add_run(source="Playground")
    for required in (True, False):
        api.fake.kinetic.require_auth = required
        r = api.get("kinetic", LIST, headers={"Authorization": header})
        assert r.status_code == 401
        assert r.json() == {"message": "Invalid authentication credentials."}
        assert r.headers["WWW-Authenticate"] == 'Basic realm="Kinetic Task"'


def test_any_well_formed_basic_pair_passes_and_no_rule_needs_none(api: Api) -> None:
    api.fake.kinetic.add_run(source="Playground")
    empty_password = "basic " + base64.b64encode(b"svc:").decode()
    assert api.get("kinetic", LIST, headers={"Authorization": empty_password}).status_code == 200
    api.fake.kinetic.require_auth = False
    assert api.get("kinetic", LIST).status_code == 200


def test_policy_rule_is_checked_before_the_source_exists(api: Api) -> None:
    r = api.get("kinetic", "/app/api/v1/sources/Nope/runs")
    assert r.status_code == 403
    assert r.json()["message"].endswith('source "Nope".')


# -- GET /sources/{SOURCE}/runs ----------------------------------------------------------------


def test_unknown_source_is_404_with_two_spaces(api: Api) -> None:
    r = api.get("kinetic", "/app/api/v1/sources/BAD_SOURCE/runs", headers=BASIC)
    assert r.status_code == 404
    assert r.text.replace(" ", "") != r.text
    assert r.json() == {"message": "Unknown source:  BAD_SOURCE"}


def test_source_names_are_percent_decoded_and_case_sensitive(api: Api) -> None:
    api.fake.kinetic.add_runs(3, source="Kinetic Request CE")
    r = api.get("kinetic", "/app/api/v1/sources/Kinetic%20Request%20CE/runs", headers=BASIC)
    assert r.status_code == 200 and r.json()["count"] == 3
    r = api.get("kinetic", "/app/api/v1/sources/kinetic%20request%20ce/runs", headers=BASIC)
    assert r.json() == {"message": "Unknown source:  kinetic request ce"}


@pytest.fixture
def trees(api: Api) -> dict[str, list[int]]:
    """Runs over three trees of Playground: the ids per (filter name, value)."""
    k = api.fake.kinetic
    made: dict[str, list[int]] = {}
    for group, tree, sid in [
        ("ACME3 > iPad Request", "Procurement", "KS0000000000555"),
        ("ACME3 > iPad Request", "Procurement", None),
        ("ACME3 > iPad Request", "Approval", "KS0000000000556"),
        ("Documentation", "My First Tree", "KS0000000000555"),
        ("Documentation", "Procurement", None),
    ]:
        run = k.add_run(source="Playground", source_group=group, tree=tree, sourceId=sid)
        for key in (f"sourceGroup={group}", f"tree={tree}", f"sourceId={sid}"):
            made.setdefault(key, []).insert(0, int(run.id))
    k.add_runs(3, source="Elsewhere", source_group="Documentation", tree="Procurement")
    return made


@pytest.mark.parametrize(
    "filters",
    [
        {"sourceGroup": "ACME3 > iPad Request"},
        {"tree": "Procurement"},
        {"sourceId": "KS0000000000555"},
        {"sourceGroup": "ACME3 > iPad Request", "tree": "Procurement"},
        {
            "sourceGroup": "ACME3 > iPad Request",
            "tree": "Procurement",
            "sourceId": "KS0000000000555",
        },
        {"sourceGroup": "Nobody"},
        {"tree": "procurement"},
    ],
)
def test_filters_match_exactly_in_body_and_query(
    api: Api, trees: dict[str, list[int]], filters: dict[str, str]
) -> None:
    sets = [set(trees.get(f"{k}={v}", [])) for k, v in filters.items()]
    want = sorted(set.intersection(*sets), reverse=True)
    for how in ("json", "params"):
        body = api.get("kinetic", LIST, headers=BASIC, **{how: filters}).json()
        assert [r["id"] for r in body["runs"]] == want
        assert body["count"] == len(want)
        for run in body["runs"]:
            assert all(
                run["tree"]["sourceGroup" if k == "sourceGroup" else "name"] == v
                for k, v in filters.items()
                if k != "sourceId"
            )


def test_the_body_wins_over_the_query(api: Api) -> None:
    api.fake.kinetic.add_runs(6, source="Playground")
    r = api.get(
        "kinetic",
        LIST,
        params={"limit": "2", "offset": "0"},
        json={"limit": 3, "offset": "1"},
        headers=BASIC,
    )
    body = r.json()
    assert (body["limit"], body["offset"], len(body["runs"])) == (3, 1, 3)


def test_unknown_parameters_are_ignored(api: Api) -> None:
    api.fake.kinetic.add_runs(2, source="Playground")
    r = api.get(
        "kinetic",
        LIST,
        params={"status": "Complete"},
        json={"orderBy": "id", "limit": 1},
        headers=BASIC,
    )
    assert r.status_code == 200 and len(r.json()["runs"]) == 1


BAD_BODY = "The body content must be a JSON object."


@pytest.mark.parametrize(
    ("how", "value", "message"),
    [
        ("content", b"{not json", BAD_BODY),
        ("content", b"[1, 2]", BAD_BODY),
        ("content", b"null", BAD_BODY),
        ("content", b'"tasks"', BAD_BODY),
        ("content", b"\xff\xfe", BAD_BODY),
        ("json", {"sourceGroup": 3}, "Invalid value for parameter: sourceGroup"),
        ("json", {"tree": ["Procurement"]}, "Invalid value for parameter: tree"),
        ("json", {"sourceId": None}, "Invalid value for parameter: sourceId"),
        ("json", {"include": {"tasks": True}}, "Invalid value for parameter: include"),
        ("json", {"limit": 0}, "Invalid value for parameter: limit"),
        ("json", {"limit": 1001}, "Invalid value for parameter: limit"),
        ("json", {"limit": -5}, "Invalid value for parameter: limit"),
        ("json", {"limit": 2.5}, "Invalid value for parameter: limit"),
        ("json", {"limit": 10.0}, "Invalid value for parameter: limit"),
        ("json", {"limit": True}, "Invalid value for parameter: limit"),
        ("json", {"limit": "ten"}, "Invalid value for parameter: limit"),
        ("json", {"limit": None}, "Invalid value for parameter: limit"),
        ("json", {"offset": -1}, "Invalid value for parameter: offset"),
        ("json", {"offset": "1e3"}, "Invalid value for parameter: offset"),
        ("params", {"limit": "0"}, "Invalid value for parameter: limit"),
        ("params", {"limit": "+5"}, "Invalid value for parameter: limit"),
        ("params", {"limit": ""}, "Invalid value for parameter: limit"),
        ("params", {"limit": "99999999999999999999999"}, "Invalid value for parameter: limit"),
        ("params", {"offset": "-1"}, "Invalid value for parameter: offset"),
        ("params", {"offset": "1.0"}, "Invalid value for parameter: offset"),
    ],
)
def test_bad_parameters_are_400(api: Api, how: str, value: Any, message: str) -> None:
    api.fake.kinetic.add_run(source="Playground")
    kwargs = raw(api, value) if how == "content" else {how: value}
    r = api.get("kinetic", LIST, headers=BASIC, **kwargs)
    assert r.status_code == 400
    assert r.json() == {"message": message}
    # validation comes before the source lookup (contract README: 400 before 404)
    r = api.get("kinetic", "/app/api/v1/sources/Nope/runs", headers=BASIC, **kwargs)
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("params", "applied"),
    [
        ({"limit": 1}, (1, 0)),
        ({"limit": "1000"}, (1000, 0)),
        ({"offset": "7"}, (1000, 7)),
        ({"offset": 10**12}, (1000, 10**12)),
        ({"limit": "007"}, (7, 0)),
    ],
)
def test_limits_that_are_allowed(
    api: Api, params: dict[str, Any], applied: tuple[int, int]
) -> None:
    api.fake.kinetic.add_runs(9, source="Playground")
    body = api.get("kinetic", LIST, json=params, headers=BASIC).json()
    assert (body["limit"], body["offset"]) == applied
    assert body["count"] == 9
    assert len(body["runs"]) == max(0, min(applied[0], 9 - applied[1]))


def test_no_matches_gives_count_zero(api: Api) -> None:
    api.fake.kinetic.add_parent("Playground")
    body = api.get("kinetic", LIST, headers=BASIC).json()
    assert body == {"count": 0, "limit": 1000, "offset": 0, "runs": []}


# -- paging (contract section 6) ---------------------------------------------------------------


def test_paging_to_the_end_sees_each_run_once(api: Api) -> None:
    made = api.fake.kinetic.add_runs(23, source="Playground")
    seen: list[int] = []
    offset = 0
    while True:
        body = api.get("kinetic", LIST, json={"limit": 5, "offset": offset}, headers=BASIC).json()
        assert body["count"] == 23
        if not body["runs"]:
            break
        seen += [r["id"] for r in body["runs"]]
        offset += 5
    assert seen == sorted((int(r.id) for r in made), reverse=True)
    assert offset == 25


def test_a_run_started_between_pages_repeats_one_run(api: Api) -> None:
    k = api.fake.kinetic
    k.add_runs(12, source="Playground", source_group="Documentation", tree="My First Tree")
    first = api.get("kinetic", LIST, json={"limit": 5}, headers=BASIC).json()["runs"]
    started = api.post(
        "kinetic", "/app/api/v1/run-tree/Playground/Documentation/My First Tree", headers=BASIC
    )
    assert started.status_code == 200
    second = api.get("kinetic", LIST, json={"limit": 5, "offset": 5}, headers=BASIC).json()["runs"]
    assert second[0]["id"] == first[-1]["id"]  # the one repeat: the new run took the top id
    pages = [first, second]
    offset = 10
    while page := api.get(
        "kinetic", LIST, json={"limit": 5, "offset": offset}, headers=BASIC
    ).json()["runs"]:
        pages.append(page)
        offset += 5
    ids = [r["id"] for page in pages for r in page]
    assert len(ids) == 13 and len(set(ids)) == 12
    assert started.json()["run"]["id"] not in ids


# -- GET /sources/{SOURCE}/runs/{RUN_ID} -------------------------------------------------------


def test_show_run(api: Api) -> None:
    k = api.fake.kinetic
    run = k.add_run(source="Playground", state="Complete")
    r = api.get("kinetic", f"{LIST}/{run.id}", headers=BASIC)
    assert r.status_code == 200
    assert ordered(r.content) == [("run", ordered(json.dumps(run.to_json())))]
    body = api.get("kinetic", f"{LIST}/{run.id}", params={"include": "tasks"}, headers=BASIC).json()
    assert list(body["run"]) == RUN_KEYS_WITH_TASKS
    body = api.get(
        "kinetic", f"{LIST}/{run.id}", json={"include": "tasks.messages"}, headers=BASIC
    ).json()
    assert all(list(t) == TASK_KEYS for t in body["run"]["tasks"])


@pytest.mark.parametrize("run_id", ["999", "0", "-1", "abc", "1.0", "other"])
def test_show_run_not_found(api: Api, run_id: str) -> None:
    k = api.fake.kinetic
    mine = k.add_run(source="Playground")
    other = k.add_run(source="Other")
    if run_id == "other":
        run_id = str(other.id)
    assert mine.id == 1
    r = api.get("kinetic", f"{LIST}/{run_id}", headers=BASIC)
    assert r.status_code == 404
    assert r.json() == {"message": f"Unable to locate run {run_id} for source Playground."}


def test_show_run_errors_in_processing_order(api: Api) -> None:
    run = api.fake.kinetic.add_run(source="Playground")
    r = api.get("kinetic", f"/app/api/v1/sources/Nope/runs/{run.id}", headers=BASIC)
    assert r.json() == {"message": "Unknown source:  Nope"}
    r = api.get("kinetic", f"{LIST}/{run.id}", headers=BASIC, **raw(api, b"["))
    assert (r.status_code, r.json()) == (400, {"message": BAD_BODY})
    r = api.get("kinetic", f"{LIST}/{run.id}", json={"include": 1}, headers=BASIC)
    assert r.json() == {"message": "Invalid value for parameter: include"}
    assert api.get("kinetic", f"{LIST}/{run.id}").status_code == 403


# -- POST /run-tree/{SOURCE}/{GROUP}/{TREE} ----------------------------------------------------

TREE_PATH = "/app/api/v1/run-tree/Playground/Documentation/My%20First%20Tree"


@pytest.fixture
def playground(api: Api) -> None:
    api.fake.kinetic.add_run(
        source="Playground", source_group="Documentation", tree="My First Tree", state="Complete"
    )


@pytest.mark.usefixtures("playground")
@pytest.mark.parametrize(
    ("kwargs", "source_data"),
    [
        ({}, None),
        ({"json": {"Requester": "jdoe", "Count": 2}}, '{"Requester":"jdoe","Count":2}'),
        ({"data": {"Requester": "jdoe", "Note": "a&b"}}, '{"Requester":"jdoe","Note":"a&b"}'),
        ({"json": {}}, "{}"),
    ],
)
def test_run_tree_starts_a_staged_run(
    api: Api, kwargs: dict[str, Any], source_data: str | None
) -> None:
    r = api.post("kinetic", TREE_PATH, headers=BASIC, **kwargs)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["message", "run"]
    run = body["run"]
    assert body["message"] == (
        f"Initiated run #{run['id']} for the Playground :: Documentation :: My First Tree tree."
    )
    assert list(run) == RUN_KEYS
    assert run["status"] == "Staged"
    assert run["sourceData"] == source_data
    assert run["sourceId"] is None
    assert run["createdBy"] == "jdoe" and run["updatedBy"] == "SYSTEM"
    assert run["createdAt"] == run["updatedAt"]
    assert run["tree"] == {
        "name": "My First Tree",
        "sourceGroup": "Documentation",
        "source": {"name": "Playground"},
    }
    listed = api.get("kinetic", LIST, json={"limit": 1}, headers=BASIC).json()["runs"][0]
    assert listed == run
    assert api.fake.kinetic.get(run["id"]).state == "waitingToRun"


@pytest.mark.usefixtures("playground")
def test_run_tree_source_id_and_anonymous_caller(api: Api) -> None:
    api.fake.kinetic.require_auth = False
    run = api.post("kinetic", TREE_PATH, params={"sourceId": "KS0000000000999"}).json()["run"]
    assert (run["sourceId"], run["createdBy"]) == ("KS0000000000999", "SYSTEM")
    found = api.get("kinetic", LIST, json={"sourceId": "KS0000000000999"}).json()
    assert [r["id"] for r in found["runs"]] == [run["id"]]


@pytest.mark.usefixtures("playground")
@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"content": b"not json"}, 400, BAD_BODY),
        ({"json": ["a"]}, 400, BAD_BODY),
        (
            {
                "content": b"a=1&&=",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
            BAD_BODY,
        ),
        (
            {
                "content": b"\xff=1",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
            BAD_BODY,
        ),
    ],
)
def test_run_tree_bad_bodies(api: Api, kwargs: dict[str, Any], status: int, message: str) -> None:
    headers = {**BASIC, **kwargs.pop("headers", {})}
    if "content" in kwargs:
        kwargs = raw(api, kwargs["content"])
    r = api.post("kinetic", TREE_PATH, headers=headers, **kwargs)
    assert (r.status_code, r.json()) == (status, {"message": message})
    assert len(api.fake.kinetic.runs()) == 1


@pytest.mark.usefixtures("playground")
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/app/api/v1/run-tree/Nope/Documentation/My%20First%20Tree", "Unknown source:  Nope"),
        (
            "/app/api/v1/run-tree/Playground/Documentation/Other",
            "Unable to locate the tree: Playground :: Documentation :: Other",
        ),
        (
            "/app/api/v1/run-tree/Playground/documentation/My%20First%20Tree",
            "Unable to locate the tree: Playground :: documentation :: My First Tree",
        ),
    ],
)
def test_run_tree_unknown_source_or_tree(api: Api, path: str, message: str) -> None:
    r = api.post("kinetic", path, headers=BASIC)
    assert (r.status_code, r.json()) == (404, {"message": message})


def test_trees_known_per_source_come_from_add_run(api: Api) -> None:
    k = api.fake.kinetic
    k.add_run(source="Playground", source_group="ACME3 > iPad Request", tree="Procurement")
    path = "/app/api/v1/run-tree/Playground/ACME3%20%3E%20iPad%20Request/Procurement"
    assert api.post("kinetic", path, headers=BASIC).status_code == 200
    k.add_run(source="Other", source_group="G", tree="T")
    assert (
        api.post("kinetic", "/app/api/v1/run-tree/Playground/G/T", headers=BASIC).status_code == 404
    )


# -- lifecycle shown through the API (contract section 5) --------------------------------------


@pytest.mark.fake_runs(progression="manual")
def test_path_staged_started_complete(api: Api) -> None:
    k = api.fake.kinetic
    run = k.add_run(source="Playground")
    words = []
    for _ in range(3):
        words.append(api.get("kinetic", f"{LIST}/{run.id}", headers=BASIC).json()["run"]["status"])
        if not run.state.terminal:
            run.advance()
    assert words == ["Staged", "Started", "Complete"]
    assert run.state == "completed"


@pytest.mark.fake_runs(progression="manual")
def test_failed_run_stays_started_with_a_new_task_carrying_the_reason(api: Api) -> None:
    run = api.fake.kinetic.add_run(source="Playground", state="Started")
    run.fail(reason="Handler Error: smtp_email_send_v1 - 535 Authentication failed")
    shown = api.get(
        "kinetic", f"{LIST}/{run.id}", json={"include": "tasks,tasks.messages"}, headers=BASIC
    ).json()["run"]
    assert shown["status"] == "Started" and run.state == "failed"
    last = shown["tasks"][-1]
    assert last["status"] == "New"
    assert [m["text"] for m in last["messages"]] == [
        "Handler Error: smtp_email_send_v1 - 535 Authentication failed"
    ]
    assert list(last["messages"][0]) == ["createdAt", "id", "text"]
    assert all(t["status"] == "Closed" for t in shown["tasks"][:-1])
    without = api.get(
        "kinetic", f"{LIST}/{run.id}", json={"include": "tasks"}, headers=BASIC
    ).json()["run"]
    assert "messages" not in without["tasks"][-1]


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.parametrize("state", ["Staged", "Started"])
def test_canceled_run_is_complete_with_a_closed_canceled_task(api: Api, state: str) -> None:
    run = api.fake.kinetic.add_run(source="Playground", state=state)
    run.cancel()
    shown = api.get(
        "kinetic", f"{LIST}/{run.id}", json={"include": "tasks.messages"}, headers=BASIC
    ).json()["run"]
    assert shown["status"] == "Complete" and run.state == "canceled"
    last = shown["tasks"][-1]
    assert last["status"] == "Closed"
    assert [m["text"] for m in last["messages"]] == ["Canceled"]
    if state == "Staged":  # never started: the cancel is its only task
        assert len(shown["tasks"]) == 1
    else:  # the deferred task it waited on was closed too
        assert len(shown["tasks"]) >= 2
        assert all(t["status"] == "Closed" and t["messages"] == [] for t in shown["tasks"][:-1])


@pytest.mark.fake_runs(progression="manual")
def test_running_run_waits_on_a_deferred_task(api: Api) -> None:
    runs = [api.fake.kinetic.add_run(source="Playground", state="Started") for _ in range(5)]
    for run in runs:
        shown = api.get(
            "kinetic", f"{LIST}/{run.id}", json={"include": "tasks"}, headers=BASIC
        ).json()["run"]
        assert shown["tasks"][-1]["status"] == "Deferred"
        assert all(t["status"] == "Closed" for t in shown["tasks"][:-1])


def test_time_moves_a_started_tree(api: Api) -> None:
    api.fake.kinetic.add_run(source="Playground", source_group="G", tree="T")
    run_id = api.post("kinetic", "/app/api/v1/run-tree/Playground/G/T", headers=BASIC).json()[
        "run"
    ]["id"]
    run = api.fake.kinetic.get(run_id)
    wait, work = run.durations["waitingToRun"], run.durations["running"]
    api.fake.clock.advance(wait + 0.01)
    assert (
        api.get("kinetic", f"{LIST}/{run_id}", headers=BASIC).json()["run"]["status"] == "Started"
    )
    api.fake.clock.advance(work)
    assert (
        api.get("kinetic", f"{LIST}/{run_id}", headers=BASIC).json()["run"]["status"] == "Complete"
    )


@pytest.mark.fake_runs(progression="poll")
def test_poll_mode_moves_one_step_per_read(api: Api) -> None:
    run = api.fake.kinetic.add_run(source="Playground")
    seen = [api.get("kinetic", LIST, headers=BASIC).json()["runs"][0]["status"] for _ in range(4)]
    assert seen == ["Staged", "Started", "Complete", "Complete"]
    assert run.state == "completed"


# -- faults and deprecation use the vendor envelope --------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, BAD_BODY),
        (401, "Invalid authentication credentials."),
        (403, 'Policy rule "Authenticated Users" denied access to source "Playground".'),
        (404, "Unknown source:  Playground"),
        (409, "The request conflicts with the current state of the run."),
        (429, "Too many requests."),
        (500, "An unexpected server error occurred."),
        (502, "Bad gateway."),
        (503, "Service unavailable."),
        (504, "Gateway timeout."),
    ],
)
def test_injected_faults_answer_in_the_envelope(api: Api, status: int, message: str) -> None:
    api.fake.kinetic.add_run(source="Playground")
    api.fake.inject(status=status, vendor="kinetic", times=1, retry_after=7)
    r = api.get("kinetic", LIST, headers=BASIC)
    assert (r.status_code, r.json()) == (status, {"message": message})
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers.get("Retry-After") == ("7" if status in (429, 503) else None)
    assert ("WWW-Authenticate" in r.headers) == (status == 401)
    assert api.get("kinetic", LIST, headers=BASIC).status_code == 200


def test_after_a_sunset_the_route_is_gone(api: Api) -> None:
    api.fake.kinetic.add_run(source="Playground")
    api.fake.kinetic.deprecate("2020-01-01", sunset_at="2021-01-01")
    r = api.get("kinetic", LIST, headers=BASIC)
    assert (r.status_code, r.json()) == (
        410,
        {"message": "This API method is no longer available."},
    )


@pytest.mark.fake_runs(strict=False)
def test_unmatched_route_gets_the_404_envelope(api: Api) -> None:
    r = api.get("kinetic", "/app/api/v1/sources/Playground/tasks", headers=BASIC)
    assert (r.status_code, r.json()) == (404, {"message": "Unknown source:  Playground"})
    assert len(api.fake.unmatched) == 1
