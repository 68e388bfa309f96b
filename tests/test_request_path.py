"""The request path's shortcuts answer exactly what the long way answers.

- a query with nothing to unquote is split without ``parse_qsl``: the same pairs for any text;
- a page's envelope is encoded once per shape: values that compare equal but encode apart
  (``True``, ``1``, ``1.0``) never share an encoding;
- a URL's resolution is remembered only while the roots stay as they are;
- the journal's Call is built without the dataclass ``__init__``, yet is the same Call: equal
  to one built the usual way, of the type ``Call``, frozen, its body cut at the same length.
"""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_fakeruns import FakeRuns
from pytest_fakeruns._http import Response, dump_json_with_items, query_pairs
from pytest_fakeruns._journal import MAX_KEPT_BODY, Call, answered_call

from ._clients import Api

QUERY_TEXT = st.text(alphabet="ab=&%+;x2 F\u00e9/?#", max_size=30)


@settings(max_examples=500, deadline=None)
@given(QUERY_TEXT)
def test_query_pairs_are_parse_qsl_with_blank_values(query: str) -> None:
    assert query_pairs(query) == parse_qsl(query, keep_blank_values=True)


def test_query_pairs_keep_blanks_and_repeats() -> None:
    assert query_pairs("a=1&&b&a=2&c=x=y") == [("a", "1"), ("b", ""), ("a", "2"), ("c", "x=y")]


@pytest.mark.parametrize("values", [(True, 1, 1.0), (False, 0, 0.0)], ids=["truthy", "falsy"])
def test_an_envelope_is_never_reused_for_an_equal_value_of_another_type(
    values: tuple[object, ...],
) -> None:
    items = [b'{"id":1}', b'{"id":2}']
    for value in values * 2:  # the second pass meets each shape cached
        body = dump_json_with_items({"more": value, "data": None, "n": "x"}, "data", items)
        assert json.loads(body) == {"more": value, "data": [{"id": 1}, {"id": 2}], "n": "x"}
        assert type(json.loads(body)["more"]) is type(value)


def test_an_envelope_with_an_unhashable_value_is_encoded_each_time() -> None:
    body = dump_json_with_items({"links": [{"rel": "next"}], "data": None}, "data", [b"1"])
    assert json.loads(body) == {"links": [{"rel": "next"}], "data": [1]}


@pytest.mark.fake_runs(progression="manual")
def test_pages_that_differ_only_in_the_cursor_each_carry_their_own(api: Api) -> None:
    api.fake.coalesce.add_runs(7)
    seen: list[object] = []
    params: dict[str, str] = {"limit": "3"}
    for _ in range(4):
        page = api.get("coalesce", "/api/v1/runs", headers=AUTH, params=params).json()
        seen += [run["id"] for run in page["data"]]
        if "next" not in page:
            break
        params = {"limit": "3", "startingFrom": page["next"]}
    assert seen == sorted((r.to_json()["id"] for r in api.fake.coalesce.runs()), key=int)[::-1]


AUTH = {"Authorization": "Bearer t"}


def test_a_remembered_resolution_follows_a_change_of_roots() -> None:
    fake = FakeRuns(seed=1)
    url = "https://app.coalescesoftware.io/api/v1/runs"
    assert fake.resolve(url).vendor == "coalesce"
    assert fake.resolve(url) is fake.resolve(url)  # remembered
    fake._roots.set({"coalesce": "https://coalesce.internal"})
    assert fake.resolve(url).vendor is None and fake.resolve(url).refused
    assert fake.resolve("https://coalesce.internal/api/v1/runs").vendor == "coalesce"
    with fake.serving({"coalesce": "http://127.0.0.1:9/coalesce"}, "http://127.0.0.1:9"):
        assert fake.resolve("https://coalesce.internal/api/v1/runs").refused
    assert fake.resolve("https://coalesce.internal/api/v1/runs").vendor == "coalesce"


def test_a_remembered_route_match_hands_out_its_own_params() -> None:
    fake = FakeRuns(seed=1)
    router = fake.coalesce.router
    first = router.match("GET", "/api/v1/runs/17")
    assert first is not None
    route, params = first
    params["runID"] = "tampered"  # a caller owns what it gets
    again = router.match("GET", "/api/v1/runs/17")
    assert again is not None and again[0] is route and again[1] == {"runID": "17"}
    other = router.match("GET", "/api/v1/runs/18")
    assert other is not None and other[1] == {"runID": "18"}
    assert router.match("PATCH", "/api/v1/runs/17") is None
    assert router.match("PATCH", "/api/v1/runs/17") is None  # a remembered miss


@pytest.mark.parametrize("body", [None, b"", b"{}", b"x" * (MAX_KEPT_BODY + 3)])
def test_a_journal_call_is_the_call_the_dataclass_would_build(body: bytes | None) -> None:
    response = Response(201, {"Content-Type": "application/json"}, b"{}", delay=0.5)
    args: tuple[str, str, str, str, dict[str, str], dict[str, str]] = (
        "coalesce",
        "POST",
        "https://h/api/v1/runs",
        "/api/v1/runs",
        {"a": "1"},
        {},
    )
    made = answered_call(*args, body, 201, response, None, "/api/v1/runs", 0.5)
    usual = Call(*args, body, 201, response.headers, response, route="/api/v1/runs", delay=0.5)

    assert type(made) is Call
    assert made == usual and repr(made) == repr(usual)
    assert (made.body_size, made.body_truncated) == (usual.body_size, usual.body_truncated)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.status = 200  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del made.route


def test_the_journal_holds_calls_made_the_short_way(api: Api) -> None:
    api.get("coalesce", "/api/v1/runs?limit=2", headers=AUTH)

    (call,) = api.fake.calls
    assert type(call) is Call and call.query == {"limit": "2"} and call.status == 200
    assert call.route == "/api/v1/runs" and call.body is None and call.body_size == 0
