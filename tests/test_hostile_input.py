"""Hostile input over every transport: integers too long for ``int()``, JSON nested without
bound, lone surrogates, odd bytes in query strings and headers. Every request gets the
vendor's own 400 (never a 500 or an exception in the client), nothing is stored, and later
requests are unaffected (issue 13, items 2-4)."""

from __future__ import annotations

import base64
import gc
import json
import weakref
from typing import Any

import pytest
import requests
import responses

from pytest_fakeruns import FakeRuns
from pytest_fakeruns._definition import MAX_JSON_DEPTH
from pytest_fakeruns._journal import MAX_KEPT_BODY
from tests._clients import Api

BASIC = {"Authorization": "Basic " + base64.b64encode(b"jdoe:secret").decode()}
BEARER = {"Authorization": "Bearer t0k3n"}
JSON_TYPE = {"Content-Type": "application/json"}
LONG = "1" * 4301  # one digit more than int() takes by default
AID = "2264a622-2869-4ef8-8183-a0040106ca9d"
ET_RUNS = f"/api/scriptassignment/{AID}/runs"
ET_QUERY_INVALID = "The query specified in the URI is not valid."
KINETIC_LIST = "/app/api/v1/sources/Playground/runs"
KINETIC_TREE = "/app/api/v1/run-tree/Playground/Documentation/My%20First%20Tree"
KINETIC_BAD_BODY = "The body content must be a JSON object."
COALESCE_BAD_BODY = "The request body must be a JSON object."

pytestmark = pytest.mark.fake_runs(progression="manual")


def raw(api: Api, content: bytes, **extra: Any) -> dict[str, Any]:
    """A raw request body in the spelling of the client in use."""
    key = "data" if api.transport in ("requests", "server") else "content"
    return {key: content, **extra}


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def seed_all(api: Api) -> None:
    fake = api.fake
    fake.workiva.add_runs(3, script_id="s1")
    fake.enterprise_tester.add_run(assignment_id=AID, state="completed")
    fake.kinetic.add_run(
        source="Playground", source_group="Documentation", tree="My First Tree", state="Complete"
    )
    fake.coalesce.add_run(environment_id="2", state="completed")


def start_body(**extra: Any) -> dict[str, Any]:
    return {
        "runDetails": {"environmentID": "2"},
        "userCredentials": {"snowflakeUsername": "LOADER", "snowflakePassword": "s3cret"},
        **extra,
    }


# -- item 2: integers too long for int() -------------------------------------------------------


@pytest.mark.filterwarnings("ignore::pytest_fakeruns.DeprecatedEndpointWarning")
@pytest.mark.parametrize("field", ["limit", "offset", "asof"])
def test_workiva_cursor_with_a_4301_digit_number_is_the_next_400(api: Api, field: str) -> None:
    seed_all(api)
    values = {"limit": "1", "offset": "1", "asof": "3", field: LONG}
    token = cursor(
        f"%24limit={values['limit']}&%24offset={values['offset']}"
        f"&%24asof={values['asof']}&%24script=s1"
    )
    r = api.get(
        "workiva", "/prototype/platform/scripts/s1/runs", params={"$next": token}, headers=BEARER
    )
    assert r.status_code == 400, r.text
    assert [d["target"] for d in r.json()["details"]] == ["$next"]


@pytest.mark.filterwarnings("ignore::pytest_fakeruns.DeprecatedEndpointWarning")
def test_workiva_maxpagesize_with_4301_digits_is_its_400(api: Api) -> None:
    seed_all(api)
    r = api.get(
        "workiva",
        "/prototype/platform/scripts/s1/runs",
        params={"$maxpagesize": LONG},
        headers=BEARER,
    )
    assert r.status_code == 400
    assert r.json()["details"][0]["target"] == "$maxpagesize"


@pytest.mark.parametrize("literal", [LONG, "-" + LONG])
def test_et_filter_with_a_4301_digit_number_is_the_query_400(api: Api, literal: str) -> None:
    seed_all(api)
    r = api.get(
        "enterprise_tester",
        ET_RUNS,
        params={"$filter": f"ScriptVersion eq {literal}"},
        headers=BASIC,
    )
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["Message"] == ET_QUERY_INVALID
    assert "the number is too long" in body["MessageDetail"]
    assert len(body["MessageDetail"]) < 300  # the token is cut, not echoed in full


@pytest.mark.parametrize("name", ["$skip", "$top", "$take"])
def test_et_paging_options_with_4301_digits_are_the_query_400(api: Api, name: str) -> None:
    seed_all(api)
    r = api.get("enterprise_tester", ET_RUNS, params={name: LONG}, headers=BASIC)
    assert r.status_code == 400, r.text
    assert r.json()["Message"] == ET_QUERY_INVALID


@pytest.mark.parametrize(
    ("vendor", "path", "params", "headers"),
    [
        ("arcgis", "/system/tasks/t1/runs", {"start": LONG, "f": "json", "token": "x"}, {}),
        ("arcgis", "/system/tasks/t1/runs", {"num": LONG, "f": "json", "token": "x"}, {}),
        ("kinetic", KINETIC_LIST, {"limit": LONG}, BASIC),
        ("kinetic", KINETIC_LIST, {"offset": LONG}, BASIC),
        ("kinetic", KINETIC_LIST + "/" + LONG, {}, BASIC),
        ("coalesce", "/api/v1/runs", {"limit": LONG}, BEARER),
        ("coalesce", "/api/v1/runs", {"startingFrom": LONG}, BEARER),
        ("coalesce", "/api/v1/runs/" + LONG, {}, BEARER),
        ("coalesce", "/scheduler/runStatus", {"runCounter": LONG}, BEARER),
    ],
)
def test_every_other_integer_parameter_with_4301_digits_is_a_4xx(
    api: Api, vendor: str, path: str, params: dict[str, str], headers: dict[str, str]
) -> None:
    seed_all(api)
    api.fake.arcgis.add_run(task_id="t1")
    r = api.get(vendor, path, params=params, headers=headers)
    if vendor == "arcgis":  # ArcGIS carries application errors in HTTP 200
        assert r.status_code == 200 and r.json()["error"]["code"] == 400, r.text
    else:
        assert r.status_code in (400, 404), r.text
    assert api.fake.calls[-1].status == r.status_code


@pytest.mark.parametrize("name", ["limit", "offset"])
def test_kinetic_json_body_with_a_4301_digit_integer_is_the_body_400(api: Api, name: str) -> None:
    seed_all(api)
    r = api.get(
        "kinetic",
        KINETIC_LIST,
        headers={**BASIC, **JSON_TYPE},
        **raw(api, f'{{"{name}": {LONG}}}'.encode()),
    )
    assert r.status_code == 400
    assert r.json()["message"].startswith(KINETIC_BAD_BODY)
    assert "too many digits" in r.json()["message"]


def test_coalesce_cancel_with_a_4301_digit_run_id_is_a_400(api: Api) -> None:
    seed_all(api)
    for body in (f'{{"runID": {LONG}, "orgID": "o"}}', f'{{"runID": "{LONG}", "orgID": "o"}}'):
        r = api.post(
            "coalesce",
            "/scheduler/cancelRun",
            headers={**BEARER, **JSON_TYPE},
            **raw(api, body.encode()),
        )
        assert r.status_code == 400, r.text
        assert "errorDetail" in r.json()["error"]


# -- item 3: JSON nested without bound -------------------------------------------------------


def body_routes() -> list[tuple[str, str, str, dict[str, str], str]]:
    """(vendor, method, path, headers, the 400 text) of every route that reads a JSON body."""
    return [
        ("enterprise_tester", "POST", ET_RUNS, BASIC, "The request is invalid."),
        ("kinetic", "GET", KINETIC_LIST, BASIC, KINETIC_BAD_BODY),
        ("kinetic", "GET", KINETIC_LIST + "/1", BASIC, KINETIC_BAD_BODY),
        ("kinetic", "POST", KINETIC_TREE, BASIC, KINETIC_BAD_BODY),
        ("coalesce", "POST", "/scheduler/startRun", BEARER, COALESCE_BAD_BODY),
        ("coalesce", "POST", "/scheduler/cancelRun", BEARER, COALESCE_BAD_BODY),
        ("coalesce", "POST", "/scheduler/rerun", BEARER, COALESCE_BAD_BODY),
    ]


def message_of(vendor: str, body: dict[str, Any]) -> str:
    if vendor == "enterprise_tester":
        return f"{body['Message']} {body.get('MessageDetail', '')}"
    if vendor == "kinetic":
        return str(body["message"])
    return str(body["error"]["errorDetail"])


def runs_of(api: Api) -> dict[str, int]:
    return {
        name: len(api.fake.vendor(name).runs())
        for name in ("enterprise_tester", "kinetic", "coalesce")
    }


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 100_000])
@pytest.mark.parametrize("route", body_routes(), ids=lambda r: f"{r[0]}-{r[2]}")
def test_deeply_nested_json_is_the_vendors_body_400(
    api: Api, route: tuple[str, str, str, dict[str, str], str], depth: int
) -> None:
    vendor, method, path, headers, text = route
    seed_all(api)
    before = runs_of(api)
    for payload in (
        b"[" * depth + b"]" * depth,
        b'{"a":' + b"[" * depth + b"]" * depth + b"}",
        b"[" * depth,
    ):
        r = api.request(method, vendor, path, headers={**headers, **JSON_TYPE}, **raw(api, payload))
        assert r.status_code == 400, r.text
        message = message_of(vendor, r.json())
        assert message.startswith(text)
    assert runs_of(api) == before
    assert api.fake.calls[-1].status == 400


def test_json_nested_up_to_the_limit_is_accepted(api: Api) -> None:
    seed_all(api)
    deep: Any = "leaf"
    for _ in range(MAX_JSON_DEPTH - 2):
        deep = [deep]
    r = api.post(
        "coalesce",
        "/scheduler/startRun",
        headers=BEARER,
        json=start_body(parameters={"deep": deep}),
    )
    assert r.status_code == 200, r.text
    shown = api.get(
        "coalesce",
        f"/api/v1/runs/{r.json()['runCounter']}",
        params={"detail": "true"},
        headers=BEARER,
    ).json()
    assert shown["runTimeParameters"] == {"deep": deep}


def test_brackets_inside_strings_do_not_count_as_nesting(api: Api) -> None:
    seed_all(api)
    r = api.post(
        "coalesce",
        "/scheduler/startRun",
        headers=BEARER,
        json=start_body(parameters={"text": "[" * 5000 + '\\"{' * 100}),
    )
    assert r.status_code == 200, r.text


# -- item 4: lone surrogates never reach the store -------------------------------------------

SURROGATE_BODIES = [
    (b'{"a":"\\ud800"}', "\\ud800"),
    (b'{"a":"x\\udc00y"}', "\\udc00"),
    (b'{"\\udbff":"a"}', "\\udbff"),
    (b'{"a":["ok", "\xed\xa0\x80"]}', "\\ud800"),  # a surrogate encoded as UTF-8 bytes
]


@pytest.mark.parametrize(("payload", "shown"), SURROGATE_BODIES)
def test_kinetic_run_tree_with_a_lone_surrogate_is_refused_before_storing(
    api: Api, payload: bytes, shown: str
) -> None:
    seed_all(api)
    r = api.post("kinetic", KINETIC_TREE, headers={**BASIC, **JSON_TYPE}, **raw(api, payload))
    assert r.status_code == 400, r.text
    message = r.json()["message"]
    assert message.startswith(KINETIC_BAD_BODY)
    assert "lone surrogate" in message and shown in message
    assert len(api.fake.kinetic.runs()) == 1
    assert api.fake.calls[-1].status == 400
    listed = api.get("kinetic", KINETIC_LIST, headers=BASIC)
    assert listed.status_code == 200 and listed.json()["count"] == 1
    one = listed.json()["runs"][0]["id"]
    assert api.get("kinetic", f"{KINETIC_LIST}/{one}", headers=BASIC).status_code == 200


def test_kinetic_list_with_a_lone_surrogate_in_the_body_is_the_body_400(api: Api) -> None:
    seed_all(api)
    r = api.get(
        "kinetic", KINETIC_LIST, headers={**BASIC, **JSON_TYPE}, **raw(api, b'{"tree":"\\ud800"}')
    )
    assert r.status_code == 400
    assert "lone surrogate \\ud800 in the string at tree" in r.json()["message"]


def test_a_valid_surrogate_pair_is_an_ordinary_character(api: Api) -> None:
    seed_all(api)
    r = api.post(
        "kinetic",
        KINETIC_TREE,
        headers={**BASIC, **JSON_TYPE},
        **raw(api, b'{"a":"\\ud83d\\ude00"}'),
    )
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["run"]["sourceData"]) == {"a": "\U0001f600"}


def test_coalesce_start_run_with_a_lone_surrogate_is_refused_and_nothing_breaks(
    api: Api,
) -> None:
    seed_all(api)
    payload = json.dumps(start_body(parameters={"a": "\udc00"})).encode()
    assert b"\\udc00" in payload
    r = api.post(
        "coalesce", "/scheduler/startRun", headers={**BEARER, **JSON_TYPE}, **raw(api, payload)
    )
    assert r.status_code == 400, r.text
    detail = r.json()["error"]["errorDetail"]
    assert detail.startswith(COALESCE_BAD_BODY)
    assert "lone surrogate \\udc00 in the string at parameters.a" in detail
    assert len(api.fake.coalesce.runs()) == 1
    for path in ("/api/v1/runs/1", "/api/v1/runs/1?detail=true", "/api/v1/runs?detail=true"):
        assert api.get("coalesce", path, headers=BEARER).status_code == 200


def test_et_post_with_a_lone_surrogate_is_refused_with_the_reason(api: Api) -> None:
    api.fake.enterprise_tester.add_parent(AID)
    r = api.post(
        "enterprise_tester",
        ET_RUNS,
        headers={**BASIC, **JSON_TYPE},
        **raw(api, b'{"WidgetValues":{"w":"\\ud800"}}'),
    )
    assert r.status_code == 400
    assert r.json() == {
        "Message": "The request is invalid.",
        "MessageDetail": "The body has the lone surrogate \\ud800 in the string at "
        "WidgetValues.w; JSON text must be Unicode.",
    }
    assert api.fake.enterprise_tester.runs() == []


@pytest.mark.parametrize("payload", [b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": 1e999}'])
def test_numbers_json_does_not_have_are_refused(api: Api, payload: bytes) -> None:
    seed_all(api)
    body = json.loads(json.dumps(start_body()))
    text = json.dumps(body)[:-1].encode() + b', "parameters": ' + payload + b"}"
    r = api.post(
        "coalesce", "/scheduler/startRun", headers={**BEARER, **JSON_TYPE}, **raw(api, text)
    )
    assert r.status_code == 400, r.text
    assert len(api.fake.coalesce.runs()) == 1


def test_a_stored_lone_surrogate_from_python_is_written_as_its_escape(api: Api) -> None:
    """Python-side data is the test's own: it is stored, and every answer still encodes."""
    run = api.fake.kinetic.add_run(source="Playground", sourceData='{"a":"\udc00"}')
    r = api.get("kinetic", f"{KINETIC_LIST}/{run.id}", headers=BASIC)
    assert r.status_code == 200
    assert b'"sourceData":"{\\"a\\":\\"\\udc00\\"}"' in r.content
    assert api.get("kinetic", KINETIC_LIST, headers=BASIC).status_code == 200


# -- odd bytes in query strings, headers and form bodies -------------------------------------


@pytest.mark.parametrize(
    "query",
    ["tree=%ED%A0%80", "tree=%FF%FE", "%ED%A0%80=1", "tree=%", "a=%00b", "include=" + "%2C" * 1000],
)
def test_odd_bytes_in_the_query_string_are_answered(api: Api, query: str) -> None:
    seed_all(api)
    r = api.get("kinetic", f"{KINETIC_LIST}?{query}", headers=BASIC)
    assert r.status_code == 200, r.text
    assert api.fake.calls[-1].status == 200


@pytest.mark.parametrize(
    "value",
    [
        b"Basic \xff\xfe",
        b"Bearer \x80\x81",
        b"Basic " + base64.b64encode(b"\xed\xa0\x80:x"),
        b"Basic " + base64.b64encode(b"\xff:\xfe"),
    ],
)
def test_odd_bytes_in_credentials_are_answered(api: Api, value: bytes) -> None:
    """requests and httpx both take bytes header values and send them as they are."""
    seed_all(api)
    headers: dict[str, Any] = {
        "Authorization": value,
        "X-Version": b"\xff",
        "X-Esri-Authorization": value,
    }
    for vendor, path in (
        ("kinetic", KINETIC_LIST),
        ("enterprise_tester", ET_RUNS),
        ("coalesce", "/api/v1/runs"),
        ("workiva", "/iam/v1/oauth2/token"),
    ):
        method = "POST" if vendor == "workiva" else "GET"
        r = api.request(method, vendor, path, headers=headers)
        assert r.status_code < 500, (vendor, r.text)
        r.json()


def test_bytes_header_values_are_read_as_latin_1(api: Api) -> None:
    seed_all(api)
    r = api.get("coalesce", "/api/v1/runs", headers={"Authorization": b"Bearer t\xe9"})
    assert r.status_code == 200, r.text
    assert api.fake.calls[-1].headers["Authorization"] == "Bearer t\u00e9"
    refused = api.get("coalesce", "/api/v1/runs", headers={"Authorization": b"Basic x"})
    assert refused.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        b"grant_type=client_credentials&client_id=%ED%A0%80&client_secret=s",
        b"grant_type=\xed\xa0\x80",
        b"\xff\xfe=1",
        b"grant_type=client_credentials&client_id=a&client_secret=b&" + b"x=%" * 10,
    ],
)
def test_odd_bytes_in_the_workiva_token_form_are_answered(api: Api, body: bytes) -> None:
    r = api.post(
        "workiva",
        "/iam/v1/oauth2/token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        **raw(api, body),
    )
    assert r.status_code in (200, 400, 401), r.text
    assert "error" in r.json() or "access_token" in r.json()


@pytest.mark.fake_runs(progression="manual", strict=False)  # no route takes the method
@pytest.mark.parametrize("method", ["TRACE", "BREW", "FOO"])
def test_an_unknown_method_is_the_vendors_own_answer_and_journaled(api: Api, method: str) -> None:
    """A method no route takes is the vendor's 404 in its envelope, on every transport (over
    HTTP too, not a bare 501 from the server), and every such request is in the journal."""
    seed_all(api)
    answers = {
        vendor: api.request(method, vendor, path, headers=headers)
        for vendor, path, headers in (
            ("coalesce", "/api/v1/runs", BEARER),
            ("workiva", "/prototype/platform/scripts/s1/runs", BEARER),
            ("arcgis", "/system/tasks/t1/runs?f=json", {}),
            ("enterprise_tester", ET_RUNS, BASIC),
            ("kinetic", KINETIC_LIST, BASIC),
        )
    }
    assert {v: r.status_code for v, r in answers.items()} == {
        "coalesce": 404,
        "workiva": 404,
        "arcgis": 200,  # ArcGIS answers its errors with 200 and the code in the body
        "enterprise_tester": 404,
        "kinetic": 404,
    }
    assert answers["coalesce"].json()["error"]["errorDetail"] == (
        f"No route matches {method} /api/v1/runs."
    )
    assert answers["workiva"].json()["code"] == "404NotFound"
    assert answers["arcgis"].json()["error"]["code"] == 404
    assert answers["enterprise_tester"].json()["Message"].startswith("No HTTP resource")
    assert "message" in answers["kinetic"].json()
    calls = api.fake.calls
    assert [(c.vendor, c.method, c.status) for c in calls] == [
        (v, method, r.status_code) for v, r in answers.items()
    ]


# -- item 9: the journal keeps bytes, and at most MAX_KEPT_BODY of a request body -------------


def test_requests_the_fake_answers_are_journaled_once_not_kept_by_responses(
    fake_runs: FakeRuns,
) -> None:
    """The fake's answers are in ``fake_runs.calls`` only: ``responses`` keeps no second record
    of them (some 40 objects per call that every full collection walked), while the test's own
    mocks are still recorded in ``fake_runs.responses.calls``."""
    fake_runs.coalesce.add_run(environment_id="2", state="completed")
    url = fake_runs.coalesce.base_url + "/api/v1/runs"
    r = requests.get(url, headers=BEARER, timeout=10)
    assert r.status_code == 200
    answer = weakref.ref(r)
    missing = requests.get(url + "/999", headers=BEARER, timeout=10)
    assert missing.status_code == 404
    del r, missing
    gc.collect()
    assert answer() is None, "a requests.Response the fake answered is still referenced"
    assert [c.status for c in fake_runs.calls] == [200, 404]
    assert len(fake_runs.responses.calls) == 0
    fake_runs.responses.add(responses.GET, "https://own.example/x", json={"ok": True})
    assert requests.get("https://own.example/x", timeout=10).json() == {"ok": True}
    assert [c.request.url for c in fake_runs.responses.calls] == ["https://own.example/x"]
    assert len(fake_runs.calls) == 2


def test_requests_to_the_fakes_own_server_are_not_kept_by_responses(
    fake_runs_server: FakeRuns,
) -> None:
    fake_runs_server.coalesce.add_run(environment_id="2", state="completed")
    url = fake_runs_server.coalesce.base_url + "/api/v1/runs"
    assert requests.get(url, headers=BEARER, timeout=10).status_code == 200
    assert [c.status for c in fake_runs_server.calls] == [200]
    assert len(fake_runs_server.responses.calls) == 0


def test_a_huge_request_body_is_kept_up_to_the_cap_with_its_size(api: Api) -> None:
    seed_all(api)
    payload = json.dumps(start_body(parameters={"blob": "x" * (3 * MAX_KEPT_BODY)})).encode()
    r = api.post(
        "coalesce", "/scheduler/startRun", headers={**BEARER, **JSON_TYPE}, **raw(api, payload)
    )
    assert r.status_code == 200, r.text[:200]
    call = api.fake.calls[-1]
    assert call.body == payload[:MAX_KEPT_BODY]
    assert call.body_size == len(payload) and call.body_truncated
    assert api.fake.coalesce.get(r.json()["runCounter"]).fields["runTimeParameters"] == {
        "blob": "x" * (3 * MAX_KEPT_BODY)
    }  # the fake acted on the whole body


def test_small_and_absent_bodies_are_kept_whole(api: Api) -> None:
    seed_all(api)
    api.post("coalesce", "/scheduler/startRun", headers=BEARER, json=start_body())
    api.get("coalesce", "/api/v1/runs", headers=BEARER)
    sent, listed = api.fake.calls[-2:]
    assert isinstance(sent.body, bytes) and json.loads(sent.body) == start_body()
    assert (sent.body_size, sent.body_truncated) == (len(sent.body), False)
    assert (listed.body, listed.body_size, listed.body_truncated) == (None, 0, False)


@pytest.mark.parametrize(
    ("vendor", "path", "headers"),
    [
        ("coalesce", "/api/v1/runs/1", BEARER),
        ("kinetic", KINETIC_LIST + "/1", BASIC),
    ],
)
def test_response_json_is_parsed_from_the_bytes_so_changing_it_changes_nothing(
    api: Api, vendor: str, path: str, headers: dict[str, str]
) -> None:
    seed_all(api)
    first = api.get(vendor, path, headers=headers)
    shown = api.fake.calls[-1].response_json
    assert shown == first.json()
    inner = shown if vendor == "coalesce" else shown["run"]
    inner.clear()  # a test scribbling on what it read from the journal
    again = api.get(vendor, path, headers=headers)
    assert again.json() == first.json()


def test_response_json_of_arcgis_pjson_is_parsed_too(api: Api) -> None:
    api.fake.arcgis.add_run(task_id="t1")
    r = api.get("arcgis", "/system/tasks/t1/runs", params={"f": "pjson", "token": "x"})
    assert r.headers["Content-Type"].startswith("text/plain")
    assert api.fake.calls[-1].response_json == json.loads(r.content)
