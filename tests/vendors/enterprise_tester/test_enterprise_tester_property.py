"""Enterprise Tester properties: never a 5xx, and a ``$filter`` in the subset is never
answered wrongly (the fake's answer equals a reference evaluation of the same expression)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_fakeruns import FakeRuns
from pytest_fakeruns._http import Request
from tests._property import bodies, check_never_5xx, headers, query_values

AID = "2264a622-2869-4ef8-8183-a0040106ca9d"
OTHER = "6f1e0c5d-0000-4000-8000-00000000abcd"
QUERY = ["$filter", "$orderby", "$top", "$take", "$skip", "$inlinecount", "$expand"]
ROUTES = [
    ("GET", f"/api/scriptassignment/{AID}/runs", QUERY, []),
    ("GET", f"/api/scriptassignment/{OTHER}/runs", QUERY, []),
    ("GET", "/api/scriptassignment/not-a-guid/runs", QUERY, []),
    (
        "POST",
        f"/api/scriptassignment/{AID}/runs",
        ["$expand"],
        ["TesterId", "WidgetValues", "FieldValues"],
    ),
    ("POST", f"/api/scriptassignment/{OTHER}/runs", [], ["TesterId"]),
    ("GET", f"/api/scriptrun/{AID}", ["$expand"], []),
    ("GET", "/api/scriptrun/x", [], []),
]
AUTH_VALUES = ["Basic dXNlcjpwYXNz", "Basic eDp5", 'OAuth oauth_token="t"', "OAuth", "Bearer t"]
BASIC = {"Authorization": "Basic dXNlcjpwYXNz"}
# pieces OData expressions are made of, to reach deep into the parser
WORDS = [
    "Status",
    "CreatedAt",
    "LastUpdatedAt",
    "CreatedBy",
    "RunBy",
    "RunById",
    "Id",
    "ScriptVersion",
    "year(",
    "month(",
    "day(",
    "hour(",
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "add",
    "and",
    "or",
    "not",
    "(",
    ")",
    ",",
    "'Passed'",
    "'o''x'",
    "'",
    "3",
    "-2",
    "1.5",
    "true",
    "null",
    "datetime'2026-03-02T09:00:00'",
    "datetime'2026-02-30T00:00'",
    "guid'x'",
    "asc",
    "desc",
    "/",
    "$",
    "é",
    "  ",
]


def is_envelope(status: int, body: Any) -> bool:
    """Below 400 anything goes; an error is ``{"Message": text[, "MessageDetail": text]}``."""
    if status < 400:
        return True
    if not isinstance(body, dict) or list(body)[:1] != ["Message"]:
        return False
    return set(body) <= {"Message", "MessageDetail"} and all(
        isinstance(v, str) and v for v in body.values()
    )


@pytest.fixture(scope="module")
def fake() -> FakeRuns:
    fake = FakeRuns(seed=13, progression="manual")
    fake.enterprise_tester.add_runs(40, assignment_id=AID)
    return fake


soup = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_enterprise_tester_never_answers_5xx(fake: FakeRuns, data: st.DataObject) -> None:
    method, path, names, fields = data.draw(st.sampled_from(ROUTES))
    query = data.draw(query_values(names))
    for name in ("$filter", "$orderby"):
        if name in names and data.draw(st.booleans()):
            query[name] = data.draw(soup)
    check_never_5xx(
        fake,
        "enterprise_tester",
        method,
        path,
        query,
        data.draw(bodies(fields)),
        data.draw(headers(AUTH_VALUES)),
        is_envelope,
    )


# -- never a wrong answer: random expressions of the subset against a reference -----------------

Item = dict[str, Any]
Node = tuple[Any, ...]
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def listing(fake: FakeRuns, **query: str) -> tuple[int, Any]:
    url = f"{fake.enterprise_tester.base_url}/api/scriptassignment/{AID}/runs?" + urlencode(
        {"$top": "1000", **query}
    )
    response = fake.handle(Request("GET", url, BASIC))
    assert response is not None
    return response.status, json.loads(response.body)


@st.composite
def comparisons(draw: st.DrawFn, items: list[Item]) -> Node:
    """A leaf ``(text, test)``: the OData text and the reference test on a JSON item."""
    op = draw(st.sampled_from(list(OPS)))
    item = draw(st.sampled_from(items))  # values taken from real runs, so some match
    kind = draw(
        st.sampled_from(
            [
                "Status",
                "ScriptVersion",
                "CreatedBy",
                "RunBy",
                "CreatedAt",
                "LastUpdatedAt",
                "part",
                "Id",
                "RunById",
            ]
        )
    )
    if kind in ("Status", "CreatedBy", "RunBy"):
        value = item[kind] if draw(st.booleans()) else draw(st.sampled_from(["Passed", "m", ""]))
        text = "'" + value.replace("'", "''") + "'"
        return (f"{kind} {op} {text}", lambda i: OPS[op](i[kind], value))
    if kind == "ScriptVersion":
        number = draw(st.integers(-1, 6))
        return (f"ScriptVersion {op} {number}", lambda i: OPS[op](i["ScriptVersion"], number))
    if kind in ("CreatedAt", "LastUpdatedAt"):
        shown = dt.datetime.strptime(item[kind], "%Y-%m-%dT%H:%M:%SZ")
        moment = shown + dt.timedelta(seconds=draw(st.sampled_from([-61, -1, 0, 1, 3600])))
        literal = moment.strftime("%Y-%m-%dT%H:%M:%S")
        return (f"{kind} {op} datetime'{literal}'", lambda i: OPS[op](i[kind], literal + "Z"))
    if kind == "part":
        fn, field = (
            draw(st.sampled_from(["year", "month", "day"])),
            draw(st.sampled_from(["CreatedAt", "LastUpdatedAt"])),
        )
        index = {"year": (0, 4), "month": (5, 7), "day": (8, 10)}[fn]
        number = int(item[field][index[0] : index[1]]) + draw(st.integers(-1, 1))
        return (
            f"{fn}({field}) {op} {number}",
            lambda i: OPS[op](int(i[field][index[0] : index[1]]), number),
        )
    value = item[kind]
    text = value.upper() if draw(st.booleans()) else value
    return (f"{kind} {op} '{text}'", lambda i: OPS[op](i[kind], value))


def trees(items: list[Item]) -> st.SearchStrategy[Node]:
    leaf = comparisons(items).map(lambda c: ("leaf", *c))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["and", "or"]), inner, inner),
            st.tuples(st.just("not"), inner),
        ),
        max_leaves=6,
    )


def render(node: Node, outer: int, extra: bool) -> str:
    """The text with the fewest parentheses OData's precedence needs (or more, with extra)."""
    kind = node[0]
    if kind == "leaf":
        return f"({node[1]})" if extra else node[1]
    if kind == "not":
        return f"not ({render(node[1], 0, extra)})"
    prec = 2 if kind == "and" else 1
    text = f"{render(node[1], prec, extra)} {kind} {render(node[2], prec + 1, extra)}"
    return f"({text})" if outer > prec or extra else text


def evaluate(node: Node, item: Item) -> bool:
    kind = node[0]
    if kind == "leaf":
        return bool(node[2](item))
    if kind == "not":
        return not evaluate(node[1], item)
    if kind == "and":
        return evaluate(node[1], item) and evaluate(node[2], item)
    return evaluate(node[1], item) or evaluate(node[2], item)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_filters_in_the_subset_are_never_answered_wrongly(
    fake: FakeRuns, data: st.DataObject
) -> None:
    status, everything = listing(fake)
    items = everything["Items"]
    node = data.draw(trees(items))
    text = render(node, 0, data.draw(st.booleans()))
    status, answer = listing(fake, **{"$filter": text})
    assert status == 200, (text, answer)
    want = [i["Id"] for i in items if evaluate(node, i)]
    assert [i["Id"] for i in answer["Items"]] == want, text
