"""Workiva: the deprecated prototype script-runs list and the token endpoint, over every
transport (contracts/workiva.md)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import freezegun
import pytest
import requests

from pytest_fakeruns import DeprecatedEndpointWarning, FakeRuns, FakeRunsError, Run
from tests._clients import Api
from tests._golden import shape

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)  # before the list route's sunset
SCRIPT = "5f0c2a7e9d4b4e1c8a3f6b2d7e9c1a40"
LIST = f"/prototype/platform/scripts/{SCRIPT}/runs"
TOKEN = "/iam/v1/oauth2/token"
AUTH = {"Authorization": "Bearer t0k3n"}
FORM = {"grant_type": "client_credentials", "client_id": "id", "client_secret": "secret"}
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")

SEED_BAD_REQUEST = "The request was unacceptable, often due to a missing or invalid parameter"
SEED_NOT_FOUND = {"code": "404NotFound", "message": "The requested resource could not be found"}
SEED_UNAUTHORIZED = {"code": "401Unauthorized", "message": "No valid API token provided"}
SEED_FORBIDDEN = {
    "code": "403Forbidden",
    "message": "The API token does not have permissions to perform the request",
}

# the seed page's 200 example, "<opaque_url>" standing in for @nextLink
SEED_EXAMPLE: dict[str, Any] = {
    "@nextLink": "<opaque_url>",
    "data": [
        {
            "completed": {"dateTime": "2021-05-13T20:42:31Z"},
            "created": {
                "dateTime": "2021-05-13T20:41:35Z",
                "user": {"id": "V3ZVc2VyFzV3NiQ5NDA2NjIzNxk2njH"},
            },
            "id": "ae82b647-8e43-44c3-a4e7-2aa3294c87ac",
            "started": {"dateTime": "2021-05-13T20:41:47Z"},
            "status": "completed",
        },
        {
            "completed": {"dateTime": "2021-05-14T20:42:31Z"},
            "created": {
                "dateTime": "2021-05-14T20:41:35Z",
                "user": {"id": "V3ZVc2VyFzV3NiQ5NDA2NjIzNxk2njH"},
            },
            "id": "ae82b647-8e43-44c3-a4e7-2ab3224c97a3",
            "started": {"dateTime": "2021-05-14T20:41:47Z"},
            "status": "completed",
        },
    ],
}

# contracts/workiva.md §4, the first traversal page of three runs with $maxpagesize=2
CONTRACT_EXAMPLE: dict[str, Any] = {
    "@nextLink": "https://api.app.wdesk.com/prototype/platform/scripts/"
    "5f0c2a7e9d4b4e1c8a3f6b2d7e9c1a40/runs?$next=JTI0bGltaXQ9MiYlMjRvZmZzZXQ9MiYlMjRhc29mPTMmJTI0c2"
    "NyaXB0PTVmMGMyYTdlOWQ0YjRlMWM4YTNmNmIyZDdlOWMxYTQw",
    "data": [
        {
            "completed": {"dateTime": "2026-03-02T09:15:41Z"},
            "created": {
                "dateTime": "2026-03-02T09:14:58Z",
                "user": {"id": "V1ZVc2VyFzU3NiQ1NDA4NjIzNzk2MjD"},
            },
            "id": "0b8e6c52-3f1a-4d8e-9a77-5c21e0f4b9d3",
            "started": {"dateTime": "2026-03-02T09:15:03Z"},
            "status": "completed",
        },
        {
            "created": {
                "dateTime": "2026-03-02T10:02:11Z",
                "user": {"id": "V1ZVc2VyFzU3NiQ1NDA4NjIzNzk2MjD"},
            },
            "id": "9c4d1e07-6a2b-4f3c-8d15-e2a7b0c9f864",
            "started": {"dateTime": "2026-03-02T10:02:14Z"},
            "status": "started",
        },
    ],
}


@pytest.fixture(autouse=True)
def before_sunset(fake_runs: FakeRuns) -> Iterator[None]:
    """Every test here runs at a fixed instant before the sunset, whatever the wall clock says."""
    fake_runs.clock.set(NOW)
    yield


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def walk(
    api: Api, first: str, params: dict[str, str] | None = None, between: Any = None
) -> list[dict[str, Any]]:
    """Every page of a traversal, following @nextLink as given; ``between(i)`` after page i."""
    seen: list[dict[str, Any]] = []
    answer = api.get("workiva", first, headers=AUTH, params=params)
    page = 0
    while True:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen.extend(body["data"])
        if "@nextLink" not in body:
            return seen
        if between is not None:
            between(page)
        page += 1
        answer = api.get("workiva", body["@nextLink"], headers=AUTH)


# -- shapes and examples -------------------------------------------------------------------


def test_list_has_the_seed_examples_shape(api: Api) -> None:
    for _ in range(3):
        api.fake.workiva.add_run(script_id=SCRIPT, state="completed")

    answer = api.get("workiva", LIST, headers=AUTH, params={"$maxpagesize": "2"})

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert shape(body) == shape(SEED_EXAMPLE)
    for item in body["data"]:
        assert shape(item) == shape(SEED_EXAMPLE["data"][0])
        assert UUID4.match(item["id"])
        assert len(item["created"]["user"]["id"]) == 31
        for key in ("completed", "created", "started"):
            assert DATETIME.match(item[key]["dateTime"])


@pytest.mark.fake_runs(progression="manual")
def test_contract_example_is_reproduced(api: Api) -> None:
    user = "V1ZVc2VyFzU3NiQ1NDA4NjIzNzk2MjD"
    w = api.fake.workiva
    w.add_run(
        script_id=SCRIPT,
        id="0b8e6c52-3f1a-4d8e-9a77-5c21e0f4b9d3",
        user=user,
        state="completed",
        created_at="2026-03-02T09:14:58Z",
        durations={"waitingToRun": 5, "running": 38},
    )
    w.add_run(
        script_id=SCRIPT,
        id="9c4d1e07-6a2b-4f3c-8d15-e2a7b0c9f864",
        user=user,
        state="started",
        created_at="2026-03-02T10:02:11Z",
        durations={"waitingToRun": 3, "running": 60},
    )
    w.add_run(script_id=SCRIPT, user=user, state="queued", created_at="2026-03-02T11:00:00Z")

    answer = api.get("workiva", LIST, headers=AUTH, params={"$maxpagesize": "2"})

    body = answer.json()
    if api.transport == "server":  # the link is built from the configured root
        assert body["@nextLink"].startswith(api.fake.workiva.base_url + "/prototype/")
        body["@nextLink"] = body["@nextLink"].replace(
            api.fake.workiva.base_url, "https://api.app.wdesk.com"
        )
    assert body == CONTRACT_EXAMPLE
    assert list(body) == ["@nextLink", "data"]
    assert [list(item) for item in body["data"]] == [
        ["completed", "created", "id", "started", "status"],
        ["created", "id", "started", "status"],
    ]
    last = api.get("workiva", answer.json()["@nextLink"], headers=AUTH).json()
    assert list(last) == ["data"]  # no @nextLink on the last page
    assert [item["status"] for item in last["data"]] == ["queued"]
    assert list(last["data"][0]) == ["created", "id", "status"]


def test_a_script_without_runs_answers_an_empty_list(api: Api) -> None:
    api.fake.workiva.add_parent(SCRIPT)

    answer = api.get("workiva", LIST, headers=AUTH)

    assert answer.status_code == 200
    assert answer.json() == {"data": []}


def test_unknown_script_is_the_seed_404(api: Api) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)

    answer = api.get("workiva", "/prototype/platform/scripts/nope/runs", headers=AUTH)

    assert answer.status_code == 404
    assert answer.json() == SEED_NOT_FOUND
    assert answer.headers["X-Version"] == "2022-01-01"


def test_default_page_size_is_1000_and_the_maximum_is_1000(api: Api) -> None:
    api.fake.workiva.add_runs(1001, script_id=SCRIPT)

    default = api.get("workiva", LIST, headers=AUTH).json()
    largest = api.get("workiva", LIST, headers=AUTH, params={"$maxpagesize": "1000"}).json()

    assert len(default["data"]) == 1000 and "@nextLink" in default
    assert len(largest["data"]) == 1000
    rest = api.get("workiva", default["@nextLink"], headers=AUTH).json()
    assert len(rest["data"]) == 1 and "@nextLink" not in rest


# -- parameters ----------------------------------------------------------------------------


def bad_request(target: str, message: str) -> dict[str, Any]:
    return {
        "code": "400BadRequest",
        "message": SEED_BAD_REQUEST,
        "details": [{"code": "InvalidParameter", "message": message, "target": target}],
    }


@pytest.mark.parametrize(
    "value", ["abc", "1.5", "", "0", "1001", "-1", "+5", " 5", "1e3", "99999999999999999999999"]
)
def test_bad_maxpagesize_is_a_400_naming_it(api: Api, value: str) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)

    answer = api.get("workiva", LIST, headers=AUTH, params={"$maxpagesize": value})

    assert answer.status_code == 400
    assert answer.json() == bad_request(
        "$maxpagesize", "$maxpagesize must be an integer from 1 to 1000"
    )
    assert answer.headers["X-Version"] == "2022-01-01"


def test_percent_encoded_parameter_names_are_the_same_parameters(api: Api) -> None:
    api.fake.workiva.add_runs(3, script_id=SCRIPT)
    url = api.url("workiva", LIST)

    page = api.get("workiva", url + "?%24maxpagesize=2", headers=AUTH).json()
    bad = api.get("workiva", url + "?%24maxpagesize=0", headers=AUTH)
    token = page["@nextLink"].split("$next=")[1]
    following = api.get("workiva", url + "?%24next=" + token, headers=AUTH).json()

    assert len(page["data"]) == 2
    assert bad.status_code == 400
    assert bad.json()["details"][0]["target"] == "$maxpagesize"
    assert len(following["data"]) == 1


def test_first_occurrence_of_a_repeated_parameter_is_used(api: Api) -> None:
    api.fake.workiva.add_runs(3, script_id=SCRIPT)

    answer = api.get(
        "workiva", api.url("workiva", LIST) + "?$maxpagesize=1&$maxpagesize=0", headers=AUTH
    )

    assert answer.status_code == 200
    assert len(answer.json()["data"]) == 1


def test_unknown_query_parameters_are_ignored(api: Api) -> None:
    api.fake.workiva.add_runs(3, script_id=SCRIPT)

    answer = api.get("workiva", LIST, headers=AUTH, params={"$orderBy": "x", "foo": "bar"})

    assert answer.status_code == 200
    assert len(answer.json()["data"]) == 3


@pytest.mark.parametrize("version", [None, "2022-01-01"])
def test_x_version_2022_or_absent_is_served_and_echoed(api: Api, version: str | None) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    headers = dict(AUTH) if version is None else {**AUTH, "X-Version": version}

    answer = api.get("workiva", LIST, headers=headers)

    assert answer.status_code == 200
    assert answer.headers["X-Version"] == "2022-01-01"


@pytest.mark.parametrize("version", ["2026-01-01", "2021-12-31"])
def test_other_api_versions_do_not_have_the_prototype_route(api: Api, version: str) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)

    answer = api.get("workiva", LIST, headers={**AUTH, "X-Version": version})

    assert answer.status_code == 404
    assert answer.json() == SEED_NOT_FOUND


@pytest.mark.parametrize("version", ["latest", "2022-13-01", "2022-1-1", "20220101", "x"])
def test_x_version_that_is_not_a_date_is_a_400(api: Api, version: str) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)

    answer = api.get("workiva", LIST, headers={**AUTH, "X-Version": version})

    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "400BadRequest" and body["message"] == SEED_BAD_REQUEST
    assert body["details"][0]["target"] == "X-Version"
    assert body["details"][0]["code"] == "InvalidParameter"


def valid_cursor(api: Api) -> str:
    body = api.get("workiva", LIST, headers=AUTH, params={"$maxpagesize": "2"}).json()
    return str(body["@nextLink"].split("$next=")[1])


def test_cursor_is_the_contracts_encoding(api: Api) -> None:
    api.fake.workiva.add_runs(5, script_id=SCRIPT)

    token = valid_cursor(api)

    padded = token + "=" * (-len(token) % 4)
    assert base64.urlsafe_b64decode(padded).decode() == (
        f"%24limit=2&%24offset=2&%24asof=5&%24script={SCRIPT}"
    )
    assert "=" not in token
    link = api.get("workiva", LIST, headers=AUTH, params={"$maxpagesize": "2"}).json()
    assert link["@nextLink"] == f"{api.fake.workiva.base_url}{LIST}?$next={token}"


TAMPERED = {
    "garbage": "!!!not-base64!!!",
    "empty": "",
    "spec sample (lacks asof and script)": "JTI0bGltaXQ9MTAwJiUyNG9mZnNldD0xMDA",
    "not ascii text": "____",
    "fields reordered": cursor(f"%24offset=2&%24limit=2&%24asof=5&%24script={SCRIPT}"),
    "offset not a multiple of the limit": cursor(
        f"%24limit=2&%24offset=3&%24asof=5&%24script={SCRIPT}"
    ),
    "limit 0": cursor(f"%24limit=0&%24offset=0&%24asof=5&%24script={SCRIPT}"),
    "limit above 1000": cursor(f"%24limit=1001&%24offset=1001&%24asof=5000&%24script={SCRIPT}"),
    "asof not above the offset": cursor(f"%24limit=2&%24offset=4&%24asof=4&%24script={SCRIPT}"),
    "leading zero": cursor(f"%24limit=02&%24offset=2&%24asof=5&%24script={SCRIPT}"),
    "negative": cursor(f"%24limit=2&%24offset=-2&%24asof=5&%24script={SCRIPT}"),
    "extra field": cursor(f"%24limit=2&%24offset=2&%24asof=5&%24script={SCRIPT}&%24x=1"),
}


@pytest.mark.parametrize("token", list(TAMPERED.values()), ids=list(TAMPERED))
def test_bad_or_tampered_cursor_is_a_400_naming_next(api: Api, token: str) -> None:
    api.fake.workiva.add_runs(5, script_id=SCRIPT)

    answer = api.get("workiva", api.url("workiva", LIST) + "?$next=" + token, headers=AUTH)

    assert answer.status_code == 400, answer.text
    assert answer.json() == bad_request(
        "$next", "$next is not a valid cursor; copy it unchanged from @nextLink"
    )


def test_padded_or_retyped_cursor_is_refused(api: Api) -> None:
    api.fake.workiva.add_runs(5, script_id=SCRIPT)
    token = valid_cursor(api)
    url = api.url("workiva", LIST)

    padded = api.get("workiva", url + "?$next=" + token + "%3D", headers=AUTH)
    standard_alphabet = api.get(
        "workiva",
        url + "?$next=" + token.replace("-", "+").replace("_", "/") + "AB",
        headers=AUTH,
    )

    assert padded.status_code == 400
    assert standard_alphabet.status_code == 400


def test_cursor_of_another_script_is_a_400(api: Api) -> None:
    api.fake.workiva.add_runs(5, script_id=SCRIPT)
    api.fake.workiva.add_runs(5, script_id="other")
    token = valid_cursor(api)

    answer = api.get(
        "workiva", "/prototype/platform/scripts/other/runs", headers=AUTH, params={"$next": token}
    )

    assert answer.status_code == 400
    assert answer.json() == bad_request("$next", "$next was issued for another script")


def test_limit_inside_the_cursor_wins_over_maxpagesize(api: Api) -> None:
    api.fake.workiva.add_runs(10, script_id=SCRIPT)
    token = valid_cursor(api)

    answer = api.get("workiva", LIST, headers=AUTH, params={"$next": token, "$maxpagesize": "7"})

    assert len(answer.json()["data"]) == 2


def test_valid_cursor_past_the_end_after_reset_is_an_empty_page(api: Api) -> None:
    api.fake.workiva.add_runs(5, script_id=SCRIPT)
    token = valid_cursor(api)
    api.fake.reset()
    api.fake.clock.set(NOW)
    api.fake.workiva.add_run(script_id=SCRIPT)

    answer = api.get("workiva", LIST, headers=AUTH, params={"$next": token})

    assert answer.status_code == 200
    assert answer.json() == {"data": []}


# -- pagination ----------------------------------------------------------------------------


def test_walking_every_page_sees_each_run_once_in_created_order(api: Api) -> None:
    runs = api.fake.workiva.add_runs(1000, script_id=SCRIPT)

    seen = walk(api, LIST, {"$maxpagesize": "99"})

    expected = sorted(runs, key=lambda r: (r.created_at, r.id))
    assert [item["id"] for item in seen] == [r.id for r in expected]


def test_runs_added_between_pages_never_shift_or_repeat(api: Api) -> None:
    w = api.fake.workiva
    runs = w.add_runs(1000, script_id=SCRIPT)
    oldest = min(r.created_at for r in runs)
    added: list[str] = []

    def add(page: int) -> None:
        added.append(str(w.add_run(script_id=SCRIPT).id))  # newest
        added.append(str(w.add_run(script_id=SCRIPT, created_at=oldest - dt.timedelta(days=1)).id))
        added.append(str(w.add_run(script_id=SCRIPT, created_at=runs[500].created_at).id))
        w.add_run(script_id="elsewhere")

    seen = [item["id"] for item in walk(api, LIST, {"$maxpagesize": "100"}, between=add)]

    assert len(seen) == len(set(seen)) == 1000
    assert set(seen) == {r.id for r in runs}
    assert len(added) == 27
    fresh = [item["id"] for item in walk(api, LIST, {"$maxpagesize": "1000"})]
    assert set(fresh) == {r.id for r in runs} | set(added)


def test_a_page_with_runs_added_after_asof_locates_only_those(
    fake_runs: FakeRuns, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The asof filter bisects for the runs added since the traversal began; it never
    computes a sort key per stored run (so a page stays O(page size) with 100,000 runs)."""
    from pytest_fakeruns.vendors.workiva import handlers as _workiva_list

    w = fake_runs.workiva
    w.add_runs(3000, script_id=SCRIPT)
    url = w.base_url + LIST
    first = requests.get(url, headers=AUTH, params={"$maxpagesize": "10"}).json()
    for _ in range(3):
        w.add_run(script_id=SCRIPT, created_at=NOW - dt.timedelta(days=30))
    keys: list[Run] = []
    real = _workiva_list.created_key

    def counting(run: Run) -> Any:
        keys.append(run)
        return real(run)

    monkeypatch.setattr(_workiva_list, "created_key", counting)

    second = requests.get(first["@nextLink"], headers=AUTH).json()

    assert len(second["data"]) == 10
    assert len(keys) == 3
    assert {item["id"] for item in second["data"]}.isdisjoint(item["id"] for item in first["data"])


# -- auth ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "t0k3n", "Token t0k3n"]
)
def test_missing_or_malformed_credentials_are_a_401(api: Api, header: str | None) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    headers = {} if header is None else {"Authorization": header}

    answer = api.get("workiva", LIST, headers=headers)

    assert answer.status_code == 401
    assert answer.json() == SEED_UNAUTHORIZED
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.headers["Content-Type"] == "application/json"


def test_bearer_scheme_is_case_insensitive(api: Api) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)

    answer = api.get("workiva", LIST, headers={"Authorization": "bearer t0k3n"})

    assert answer.status_code == 200


def test_require_auth_false_allows_no_header_but_not_a_malformed_one(api: Api) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    api.fake.workiva.require_auth = False

    without = api.get("workiva", LIST)
    malformed = api.get("workiva", LIST, headers={"Authorization": "Basic eDp5"})

    assert without.status_code == 200
    assert malformed.status_code == 401
    assert malformed.json() == SEED_UNAUTHORIZED


def issue(api: Api, **extra: str) -> Any:
    return api.post("workiva", TOKEN, data={**FORM, **extra})


def test_token_endpoint_issues_a_bearer_token(api: Api) -> None:
    answer = issue(api)

    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == ["access_token", "expires_in", "scope", "token_type"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{40}", body["access_token"])
    assert body["expires_in"] == 600
    assert body["scope"] == "file:read file:write"
    assert body["token_type"] == "Bearer"
    assert answer.headers["Content-Type"] == "application/json"
    for name in ("X-Version", "Deprecation", "Sunset"):
        assert name not in answer.headers
    assert issue(api).json()["access_token"] != body["access_token"]


def test_issued_token_works_until_it_expires_by_the_fake_clock(api: Api) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    token = issue(api).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}

    fresh = api.get("workiva", LIST, headers=bearer)
    api.fake.clock.advance(599)
    still = api.get("workiva", LIST, headers=bearer)
    api.fake.clock.advance(1)
    expired = api.get("workiva", LIST, headers=bearer)

    assert (fresh.status_code, still.status_code, expired.status_code) == (200, 200, 401)
    assert expired.json() == SEED_UNAUTHORIZED
    assert expired.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("scope", "status"), [("file:write", 403), ("file:read", 200), ("file:write  file:read", 200)]
)
def test_issued_token_needs_file_read(api: Api, scope: str, status: int) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    body = issue(api, scope=scope).json()

    answer = api.get("workiva", LIST, headers={"Authorization": f"Bearer {body['access_token']}"})

    assert answer.status_code == status
    if status == 403:
        assert answer.json() == SEED_FORBIDDEN
    assert body["scope"] == " ".join(s for s in ("file:read", "file:write") if s in scope)


@pytest.mark.parametrize(
    "form",
    [
        {"client_id": "id", "client_secret": "secret"},
        {**FORM, "grant_type": "password"},
        {**FORM, "grant_type": ""},
    ],
)
def test_token_request_without_client_credentials_grant_is_invalid_request(
    api: Api, form: dict[str, str]
) -> None:
    answer = api.post("workiva", TOKEN, data=form)

    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_request",
        "error_description": "grant_type must be client_credentials",
    }


NOT_FORM = {
    "error": "invalid_request",
    "error_description": "the request body must be application/x-www-form-urlencoded "
    "(grant_type=client_credentials)",
}


def raw_body(api: Api, content: bytes, content_type: str | None) -> dict[str, Any]:
    """A raw body (and its Content-Type, None: no header) in the spelling of the client."""
    key = "data" if api.transport in ("requests", "server") else "content"
    headers = {} if content_type is None else {"Content-Type": content_type}
    return {key: content, "headers": headers}


def test_token_request_that_is_not_form_encoded_is_invalid_request(api: Api) -> None:
    answer = api.post("workiva", TOKEN, json=FORM)

    assert answer.status_code == 400
    assert answer.json() == NOT_FORM


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type": "client_credentials"}', "application/json"),
        (b"<token><grant_type>client_credentials</grant_type></token>", "application/xml"),
        (b'<?xml version="1.0"?><grant_type>client_credentials</grant_type>', "text/xml"),
        (b"grant_type=client_credentials&client_id=id&client_secret=secret", "application/json"),
        (b"grant_type=client_credentials&client_id=id&client_secret=secret", "text/plain"),
        (b'{"grant_type": "client_credentials", "client_id": "a=b"}', None),
        (b'<?xml version="1.0"?><grant_type>client_credentials</grant_type>', None),
        (
            b"--b\r\nContent-Disposition: form-data; name=grant_type\r\n\r\nclient_credentials\r\n"
            b"--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
        (b"\xff\xfe=1", "application/x-www-form-urlencoded"),
        (b"a=1&&=", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_of_another_media_type_names_form_encoding(
    api: Api, content: bytes, content_type: str | None
) -> None:
    """Contract §3.2: a non-empty body that is not form-encoded, credentials in the Basic
    header or not, is the invalid_request naming application/x-www-form-urlencoded."""
    for auth in (None, ("id", "secret")):
        answer = api.post("workiva", TOKEN, auth=auth, **raw_body(api, content, content_type))

        assert answer.status_code == 400, answer.text
        assert answer.json() == NOT_FORM


@pytest.mark.parametrize(
    "content_type",
    [None, "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8"],
)
def test_an_empty_or_form_body_without_the_grant_is_the_grant_type_400(
    api: Api, content_type: str | None
) -> None:
    for content in (b"", b"scope=file%3Aread", b"grant_type=password"):
        answer = api.post(
            "workiva", TOKEN, auth=("id", "secret"), **raw_body(api, content, content_type)
        )

        assert answer.status_code == 400
        assert answer.json() == {
            "error": "invalid_request",
            "error_description": "grant_type must be client_credentials",
        }


def basic(text: bytes | str) -> dict[str, str]:
    raw = text.encode() if isinstance(text, str) else text
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@pytest.mark.parametrize("scope", [None, "file:read"])
def test_client_credentials_in_the_basic_header_get_a_token(api: Api, scope: str | None) -> None:
    """The vendor's preferred way: ``Authorization: Basic base64(id:secret)`` and a body of
    just the grant (contract §3.2), as ``auth=(id, secret)`` sends it in requests and httpx."""
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    answer = api.post("workiva", TOKEN, auth=("client-7", "s3:cr:et"), data=form)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert list(body) == ["access_token", "expires_in", "scope", "token_type"]
    assert body["scope"] == (scope or "file:read file:write")
    api.fake.workiva.add_run(script_id=SCRIPT)
    listed = api.get("workiva", LIST, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert listed.status_code == 200


def test_the_basic_header_wins_over_credentials_in_the_body(api: Api) -> None:
    good_header = api.post(
        "workiva", TOKEN, headers=basic("id:secret"), data={**FORM, "client_secret": ""}
    )
    bad_header = api.post("workiva", TOKEN, headers=basic("id:"), data=FORM)
    other_scheme = api.post("workiva", TOKEN, headers={"Authorization": "Bearer t0k3n"}, data=FORM)

    assert good_header.status_code == 200
    assert bad_header.status_code == 401
    assert bad_header.json()["error"] == "unauthorized_client"
    assert other_scheme.status_code == 200  # not a Basic header: the body's credentials count


@pytest.mark.parametrize(
    "header",
    [
        "Basic",
        "Basic ",
        "Basic not*base64",
        "Basic aWQ",
        "basic " + base64.b64encode(b"id").decode(),
        basic(":secret")["Authorization"],
        basic("id:")["Authorization"],
        basic(":")["Authorization"],
    ],
)
def test_a_malformed_basic_header_is_unauthorized_client(api: Api, header: str) -> None:
    answer = api.post(
        "workiva",
        TOKEN,
        headers={"Authorization": header},
        data={"grant_type": "client_credentials"},
    )

    assert answer.status_code == 401
    assert answer.json() == {
        "error": "unauthorized_client",
        "error_description": "the Basic Authorization header must be base64 of "
        "client_id:client_secret, both non-empty",
    }
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="iam"'


def test_a_basic_header_in_any_case_and_with_non_ascii_credentials_is_read(api: Api) -> None:
    for header in (
        "BASIC " + base64.b64encode(b"id:secret").decode(),
        basic("cl\u00e9:s\u00e9cret")["Authorization"],
        basic(b"\xe9:\xff")["Authorization"],
    ):
        answer = api.post(
            "workiva",
            TOKEN,
            headers={"Authorization": header},
            data={"grant_type": "client_credentials"},
        )
        assert answer.status_code == 200, (header, answer.text)


def test_no_credentials_in_either_place_is_unauthorized_client(api: Api) -> None:
    answer = api.post("workiva", TOKEN, data={"grant_type": "client_credentials"})

    assert answer.status_code == 401
    assert answer.json() == {
        "error": "unauthorized_client",
        "error_description": "client_id and client_secret are required",
    }


@pytest.mark.parametrize("missing", ["client_id", "client_secret"])
def test_token_request_without_client_credentials_is_unauthorized_client(
    api: Api, missing: str
) -> None:
    for form in ({k: v for k, v in FORM.items() if k != missing}, {**FORM, missing: ""}):
        answer = api.post("workiva", TOKEN, data=form)

        assert answer.status_code == 401
        assert answer.json() == {
            "error": "unauthorized_client",
            "error_description": "client_id and client_secret are required",
        }


def test_token_request_with_an_unknown_scope_is_invalid_scope(api: Api) -> None:
    answer = issue(api, scope="file:read graph:read")

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_scope"
    assert "graph:read" in answer.json()["error_description"]


def test_issued_tokens_are_forgotten_by_reset(fake_runs: FakeRuns) -> None:
    w = fake_runs.workiva
    token = requests.post(w.base_url + TOKEN, data={**FORM, "scope": "file:write"}).json()
    fake_runs.reset()
    fake_runs.clock.set(NOW)
    w.add_run(script_id=SCRIPT)

    # no longer one the fake issued: any other token is long-lived with both scopes
    answer = requests.get(
        w.base_url + LIST, headers={"Authorization": f"Bearer {token['access_token']}"}
    )

    assert answer.status_code == 200


# -- error envelope, faults and deprecation --------------------------------------------------

ENVELOPES = {
    400: ("400BadRequest", SEED_BAD_REQUEST),
    401: ("401Unauthorized", "No valid API token provided"),
    403: ("403Forbidden", "The API token does not have permissions to perform the request"),
    404: ("404NotFound", "The requested resource could not be found"),
    409: ("409Conflict", "The request conflicts with another request"),
    429: (
        "429TooManyRequests",
        "Too many requests have been made against the API in too short a time",
    ),
    500: (
        "500InternalServerError",
        "The server encountered an unexpected condition that "
        "prevented it from fulfilling the request",
    ),
    502: ("502BadGateway", "The server received an invalid response from an upstream server"),
    503: (
        "503ServiceUnavailable",
        "The server cannot handle the request due to a temporary overload or scheduled maintenance",
    ),
    504: (
        "504GatewayTimeout",
        "The server did not receive a timely response from an upstream server",
    ),
}


@pytest.mark.parametrize("status", sorted(ENVELOPES))
def test_every_status_has_the_contracts_envelope(api: Api, status: int) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    api.fake.inject(status=status, vendor="workiva", retry_after=7)

    answer = api.get("workiva", LIST, headers=AUTH)

    code, message = ENVELOPES[status]
    assert answer.status_code == status
    assert answer.json() == {"code": code, "message": message}
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["X-Version"] == "2022-01-01"
    assert answer.headers["Deprecation"] == "@1770854400"
    assert answer.headers.get("Retry-After") == ("7" if status in (429, 503) else None)


@pytest.mark.parametrize("kind", ["ok", "400", "401", "404", "fault"])
def test_deprecation_headers_on_every_answer_of_the_list_route(api: Api, kind: str) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    path, headers, params = LIST, dict(AUTH), {}
    if kind == "400":
        params = {"$maxpagesize": "0"}
    elif kind == "401":
        headers = {}
    elif kind == "404":
        path = "/prototype/platform/scripts/unknown/runs"
    elif kind == "fault":
        api.fake.inject(status=500, vendor="workiva")

    with pytest.warns(DeprecatedEndpointWarning):
        answer = api.get("workiva", path, headers=headers, params=params)

    assert answer.headers["Deprecation"] == "@1770854400"
    assert answer.headers["Sunset"] == "Sun, 31 Jan 2027 00:00:00 GMT"
    assert "Link" not in answer.headers


def test_after_the_sunset_the_list_route_is_gone_before_auth(api: Api) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    api.fake.clock.set(dt.datetime(2027, 1, 30, 23, 59, 59, tzinfo=UTC))
    before = api.get("workiva", LIST, headers=AUTH)
    api.fake.clock.advance(1)

    gone = api.get("workiva", LIST)

    assert before.status_code == 200
    assert gone.status_code == 410
    assert gone.json() == {
        "code": "410Gone",
        "message": "This endpoint was sunset on 2027-01-31 and is no longer available",
    }
    assert gone.headers["Deprecation"] == "@1770854400"
    assert gone.headers["Sunset"] == "Sun, 31 Jan 2027 00:00:00 GMT"
    assert gone.headers["X-Version"] == "2022-01-01"
    assert issue(api).status_code == 200  # the token route is not deprecated


def test_a_test_set_deprecation_names_its_own_sunset_and_link(api: Api) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)
    api.fake.workiva.deprecate(
        "2026-01-01", sunset_at="2026-06-30", link="https://developers.workiva.com/migration"
    )

    live = api.get("workiva", LIST, headers=AUTH)
    api.fake.clock.set(dt.datetime(2026, 7, 1, tzinfo=UTC))
    gone = api.get("workiva", LIST, headers=AUTH)

    assert live.headers["Link"] == '<https://developers.workiva.com/migration>; rel="deprecation"'
    assert live.headers["Sunset"] == "Tue, 30 Jun 2026 00:00:00 GMT"
    assert gone.status_code == 410
    assert gone.json()["message"] == (
        "This endpoint was sunset on 2026-06-30 and is no longer available"
    )


def test_unmatched_workiva_path_gets_the_404_envelope(fake_runs: FakeRuns) -> None:
    fake_runs.strict = False
    answer = requests.get(
        fake_runs.workiva.base_url + "/prototype/platform/scripts/x/execute", headers=AUTH
    )

    assert answer.status_code == 404
    assert answer.json() == SEED_NOT_FOUND
    assert "X-Version" not in answer.headers
    assert len(fake_runs.unmatched) == 1


@pytest.mark.fake_runs(base_urls={"workiva": "https://api.eu.wdesk.com"})
def test_next_link_is_built_from_the_configured_root(api: Api) -> None:
    api.fake.workiva.add_runs(3, script_id=SCRIPT)

    body = api.get("workiva", LIST, headers=AUTH, params={"$maxpagesize": "2"}).json()

    assert body["@nextLink"].startswith(f"https://api.eu.wdesk.com{LIST}?$next=")
    assert len(api.get("workiva", body["@nextLink"], headers=AUTH).json()["data"]) == 1


# -- vocabulary, lifecycle and data ----------------------------------------------------------

WORDS = {
    "queued": "waitingToRun",
    "started": "running",
    "completed": "completed",
    "failed": "failed",
    "cancelled": "canceled",
}


@pytest.mark.parametrize("word", list(WORDS))
def test_add_run_speaks_workivas_words(fake_runs: FakeRuns, word: str) -> None:
    by_word = fake_runs.workiva.add_run(state=word)
    by_canonical = fake_runs.workiva.add_run(state=WORDS[word])
    by_synonym = fake_runs.workiva.add_run(status=word)

    for run in (by_word, by_canonical, by_synonym):
        assert run.status == word
        assert run.state == WORDS[word]
        assert run.to_json()["status"] == word
    shown = by_word.to_json()
    assert ("started" in shown) == (word not in ("queued",))
    assert ("completed" in shown) == (word in ("completed", "failed", "cancelled"))


def test_run_moves_along_workivas_path(fake_runs: FakeRuns) -> None:
    run = fake_runs.workiva.add_run(script_id=SCRIPT)
    run.hold()

    words = [run.status]
    run.advance()
    words.append(run.status)
    run.advance()
    words.append(run.status)
    cancelled = fake_runs.workiva.add_run().cancel()

    assert words == ["queued", "started", "completed"]
    assert cancelled.status == "cancelled"
    assert "started" not in cancelled.to_json()
    assert cancelled.to_json()["completed"]["dateTime"] == (
        cancelled.ended_at.strftime("%Y-%m-%dT%H:%M:%SZ")  # type: ignore[union-attr]
    )


@pytest.mark.fake_runs(progression="poll")
def test_poll_mode_moves_a_run_one_step_per_list_read(api: Api) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)

    statuses = [
        api.get("workiva", LIST, headers=AUTH).json()["data"][0]["status"] for _ in range(4)
    ]

    assert statuses == ["queued", "started", "completed", "completed"]


def test_time_mode_follows_the_fake_clock(api: Api) -> None:
    api.fake.clock.set(NOW)
    run = api.fake.workiva.add_run(script_id=SCRIPT, durations={"waitingToRun": 2, "running": 10})

    first = api.get("workiva", LIST, headers=AUTH).json()["data"][0]
    api.fake.clock.advance(2)
    second = api.get("workiva", LIST, headers=AUTH).json()["data"][0]
    api.fake.clock.advance(10)
    third = api.get("workiva", LIST, headers=AUTH).json()["data"][0]

    assert [first["status"], second["status"], third["status"]] == [
        "queued",
        "started",
        "completed",
    ]
    assert third["started"]["dateTime"] == "2026-03-02T12:00:02Z"
    assert third["completed"]["dateTime"] == "2026-03-02T12:00:12Z"
    assert third == run.to_json()


def test_add_runs_is_realistic_and_deterministic_per_seed() -> None:
    def history(seed: int) -> list[Any]:
        with freezegun.freeze_time(NOW):  # the same instant, to the microsecond
            fake = FakeRuns(seed=seed)
            return [r.to_json() for r in fake.workiva.add_runs(1000)]

    first, again, other = history(4), history(4), history(5)

    assert first == again
    assert first != other
    statuses = {item["status"] for item in first}
    assert {"completed", "failed", "cancelled"} <= statuses
    assert sum(item["status"] == "completed" for item in first) > 500
    assert all(UUID4.match(item["id"]) for item in first)
    assert len({item["id"] for item in first}) == 1000
    users = {item["created"]["user"]["id"] for item in first}
    assert len(users) == 1 and len(users.pop()) == 31
    created = [dt.datetime.fromisoformat(i["created"]["dateTime"][:-1]) for i in first]
    assert max(created) - min(created) > dt.timedelta(days=7)


def test_add_runs_fields_apply_to_every_run(fake_runs: FakeRuns) -> None:
    runs = fake_runs.workiva.add_runs(
        20, script_id=SCRIPT, user="V1ZVc2VyFzU3NiQ1NDA4NjIzNzk2MjD", state="failed"
    )

    assert {r.to_json()["created"]["user"]["id"] for r in runs} == {
        "V1ZVc2VyFzU3NiQ1NDA4NjIzNzk2MjD"
    }
    assert {r.status for r in runs} == {"failed"}
    assert {r.parent for r in runs} == {SCRIPT}


def test_default_script_is_stable_per_seed() -> None:
    keys = [FakeRuns(seed=9).workiva.add_run().parent for _ in range(2)]

    assert keys[0] == keys[1]
    assert re.fullmatch(r"[0-9a-f]{32}", keys[0])


def test_add_run_refuses_unknown_fields_and_duplicate_ids(fake_runs: FakeRuns) -> None:
    run = fake_runs.workiva.add_run(id="0b8e6c52-3f1a-4d8e-9a77-5c21e0f4b9d3")

    with pytest.raises(FakeRunsError, match=r"unknown field\(s\) colour; allowed: .*user"):
        fake_runs.workiva.add_run(colour="red")
    with pytest.raises(FakeRunsError, match="already has a run"):
        fake_runs.workiva.add_run(id=run.id)
    with pytest.raises(FakeRunsError, match="same id"):
        fake_runs.workiva.add_runs(2, id="x")
    assert fake_runs.workiva.get(run.id) is run


def test_journal_records_workiva_calls(api: Api) -> None:
    api.fake.workiva.add_run(script_id=SCRIPT)

    api.get("workiva", LIST, headers=AUTH, params={"$maxpagesize": "5"})

    api.fake.assert_called(
        vendor="workiva", method="GET", path="/prototype/platform/scripts/{scriptId}/runs", times=1
    )
    call = api.fake.calls[-1]
    assert call.query == {"$maxpagesize": "5"}
    assert call.response_json["data"][0]["status"] == "queued"
    assert json.loads(json.dumps(call.response_json)) == call.response_json
